/**
 * The code the serialized provider shims load at call time, inside Pulumi's
 * dynamic-provider host. Exposed as `pulumi-pingone-sessions/runtime`.
 */
import {
  sessionRevocation,
  sessionRevocationDefinition,
  SessionRevocationInputs,
  SessionRevocationOutputs,
} from "./sessionRevocation";
import {
  userSessionsRevocation,
  userSessionsRevocationDefinition,
  UserSessionsRevocationInputs,
  UserSessionsRevocationOutputs,
} from "./userSessionsRevocation";
import {
  populationSessionsRevocation,
  populationSessionsRevocationDefinition,
  PopulationSessionsRevocationInputs,
  PopulationSessionsRevocationOutputs,
} from "./populationSessionsRevocation";
import { KindMetadata, metadataOf } from "./lifecycle";

export { configure } from "./context";
export { BulkRevocationError, SweepIncompleteError } from "./errors";
export { isPingOneSessionsError } from "../client/errors";
export type { ErrorCode } from "../client/errors";
export type { FailedSession, SweepScope } from "./errors";
export type { SessionRevocationInputs, SessionRevocationOutputs, RevocationOutcome } from "./sessionRevocation";
export type { UserSessionsRevocationInputs, UserSessionsRevocationOutputs } from "./userSessionsRevocation";
export type {
  PopulationSessionsRevocationInputs,
  PopulationSessionsRevocationOutputs,
} from "./populationSessionsRevocation";
export { ROUTING_FIELDS } from "./common";
export type { StoredRouting } from "./common";
export type { KindMetadata, RecordedState } from "./lifecycle";

/** The implementation of each dynamic resource, by the kind name its shim carries. */
export const providers = {
  SessionRevocation: sessionRevocation,
  UserSessionsRevocation: userSessionsRevocation,
  PopulationSessionsRevocation: populationSessionsRevocation,
};

/** The kinds of dynamic resource this package implements. */
export type ProviderKind = keyof typeof providers;

/** The typed inputs and outputs of each kind, for the shims' `ResourceProvider<Inputs, Outputs>`. */
export interface ProviderTypes {
  /** One session. */
  SessionRevocation: { inputs: SessionRevocationInputs; outputs: SessionRevocationOutputs };
  /** Every (matching) session of a user. */
  UserSessionsRevocation: { inputs: UserSessionsRevocationInputs; outputs: UserSessionsRevocationOutputs };
  /** Every (matching) session of a population, a filtered set of users, or every user: a sweep. */
  PopulationSessionsRevocation: {
    inputs: PopulationSessionsRevocationInputs;
    outputs: PopulationSessionsRevocationOutputs;
  };
}

/**
 * What a tool serving `providers` outside Pulumi's dynamic-provider host (a provider plugin, its
 * schema and `pulumi import`) needs to know of each kind: its inputs, which are required, which
 * replace and which update, which are secret, its outputs, its id format and how to read an id
 * back into inputs. Read from the same definitions the lifecycle runs, so it cannot disagree.
 */
export const lifecycleMetadata: { [K in ProviderKind]: KindMetadata<ProviderTypes[K]["inputs"]> } = {
  SessionRevocation: metadataOf(sessionRevocationDefinition),
  UserSessionsRevocation: metadataOf(userSessionsRevocationDefinition),
  PopulationSessionsRevocation: metadataOf(populationSessionsRevocationDefinition),
};
