"""
Programs the Python engine test runs beside the example's own (drive.py imports them by name).

`pulumi import` from the CLI cannot run in a `runtime: python` project here: the engine loads
the project's language host for any import, and Pulumi's Python host cannot be built (see
docs/languages.md). The test imports with the `import_` resource option instead, which Pulumi
offers in every language: the engine reads the resource by id through the plugin (Read) and
records it, without creating anything; then, as for any resource a program adopts, it diffs the
program's inputs against what it read, and a session found present is revoked by an update.
"""
import pulumi
import pulumi_pingone_sessions as pingone_sessions
from teardown import teardown


def teardown_and_imported_session() -> None:
    """The example's teardown, plus the session `importedSessionId` of the first user, imported."""
    teardown()
    config = pulumi.Config()
    environment_id = config.require("environmentId")
    user_id = config.require_object("userIds")[0]
    session_id = config.require("importedSessionId")
    pingone_sessions.SessionRevocation(
        "imported-session",
        environment_id=environment_id,
        user_id=user_id,
        session_id=session_id,
        opts=pulumi.ResourceOptions(import_=f"{environment_id}/{user_id}/{session_id}"),
    )
