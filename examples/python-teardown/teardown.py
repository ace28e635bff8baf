"""
Declarative teardown, in Python: one UserSessionsRevocation per user named in stack config.
`pulumi up` signs them all out; `pulumi refresh` shows who has sessions again; `pulumi destroy`
signs out whatever sessions exist at that moment, so a torn-down stack leaves no one signed in.

The resources use the default provider, configured by stack config under `pingone-sessions:`
(see README.md). The program is a function so that it also runs inline, from the Automation API.
"""
import pulumi
import pulumi_pingone_sessions as pingone_sessions


def teardown() -> None:
    """Declares the revocations and exports what they did."""
    config = pulumi.Config()
    environment_id = config.require("environmentId")
    user_ids: list[str] = config.require_object("userIds")

    revocations = {
        user_id: pingone_sessions.UserSessionsRevocation(
            f"teardown-{user_id}",
            environment_id=environment_id,
            user_id=user_id,
        )
        for user_id in user_ids
    }

    # The sessions each user had revoked by the last create or update.
    pulumi.export("revokedSessionIds", {user_id: r.revoked_session_ids for user_id, r in revocations.items()})
    # The users a refresh found with sessions again (the next `pulumi up` revokes them).
    pulumi.export(
        "usersWithSessions",
        pulumi.Output.all(*[r.present.apply(lambda present, user_id=user_id: user_id if present else None) for user_id, r in revocations.items()]).apply(
            lambda users: [user_id for user_id in users if user_id]
        ),
    )
