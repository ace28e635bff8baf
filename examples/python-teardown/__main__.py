"""The program `pulumi up` runs in this folder: the teardown in teardown.py."""
from teardown import teardown

teardown()
