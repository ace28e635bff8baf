"""
Runs one operation of a Python program under Pulumi's real engine through the Python Automation
API with an inline program: the Python process serves the program itself (Pulumi's Python
language host cannot be built here; see docs/languages.md) and the `pulumi` CLI connects to it.

    python drive.py <up|refresh|destroy> <project dir> <project name> <module> <function>

The project directory holds Pulumi.yaml (naming <project name>), the stack and its config;
<module>.<function> is the program, imported from the project directory or this one. The engine is the `pulumi` in $PULUMI_ENGINE_ROOT/bin;
everything else (backend, passphrase, PATH for plugins) comes from the environment. Prints one
JSON line: the operation's outputs (secrets shown as "[secret]") and resource changes.
"""
import importlib
import json
import os
import sys

from pulumi import automation as auto


def main(operation: str, project_dir: str, project_name: str, module_name: str, function_name: str) -> None:
    sys.path[0:0] = [project_dir, os.path.dirname(os.path.abspath(__file__))]
    program = getattr(importlib.import_module(module_name), function_name)
    command = auto.PulumiCommand(root=os.environ["PULUMI_ENGINE_ROOT"])
    stack = auto.select_stack(
        stack_name=os.environ["PULUMI_STACK_NAME"],
        project_name=project_name,
        program=program,
        opts=auto.LocalWorkspaceOptions(work_dir=project_dir, pulumi_command=command),
    )
    echo = lambda line: sys.stderr.write(line if line.endswith("\n") else line + "\n")  # noqa: E731
    if operation == "up":
        result = stack.up(on_output=echo)
        outputs = {key: ("[secret]" if value.secret else value.value) for key, value in result.outputs.items()}
        changes = result.summary.resource_changes
    elif operation == "refresh":
        result = stack.refresh(on_output=echo)
        outputs, changes = {}, result.summary.resource_changes
    elif operation == "destroy":
        result = stack.destroy(on_output=echo)
        outputs, changes = {}, result.summary.resource_changes
    else:
        raise SystemExit(f"unknown operation {operation!r}")
    print(json.dumps({"outputs": outputs, "changes": changes}))


if __name__ == "__main__":
    main(*sys.argv[1:6])
