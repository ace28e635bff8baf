/**
 * The code the serialized provider shims load at call time, inside Pulumi's
 * dynamic-provider host. Exposed as `pulumi-pingone-sessions/runtime`.
 */
import * as sessionRevocation from "./sessionRevocation";
import * as userSessionsRevocation from "./userSessionsRevocation";

export { configure } from "./context";

/** The implementation of each dynamic resource, by the kind name its shim carries. */
export const providers = {
  SessionRevocation: {
    check: sessionRevocation.check,
    diff: sessionRevocation.diff,
    create: sessionRevocation.create,
    read: sessionRevocation.read,
    update: sessionRevocation.update,
    delete: sessionRevocation.remove,
  },
  UserSessionsRevocation: {
    check: userSessionsRevocation.check,
    diff: userSessionsRevocation.diff,
    create: userSessionsRevocation.create,
    read: userSessionsRevocation.read,
    update: userSessionsRevocation.update,
    delete: userSessionsRevocation.remove,
  },
};

/** The kinds of dynamic resource this package implements. */
export type ProviderKind = keyof typeof providers;
