/**
 * What the plugin must know about each resource kind beyond its lifecycle: which properties are
 * inputs and outputs, which inputs replace, which are secret, and how a resource id names its
 * inputs (for `pulumi import`). The runtime's `lifecycleMetadata` says all of it, from the same
 * definitions that build the lifecycle, so the plugin and the dynamic resources cannot drift.
 */
import { SETTING_SOURCES } from "../client/settings";
import { KindMetadata, lifecycleMetadata, ProviderKind } from "../runtime";

/**
 * The secret settings of a resource's `connection` input, from the settings table, as dotted
 * paths. The dynamic resources keep the whole `connection` secret (`secretInputs` is
 * `["connection"]`); in the schema `connection` is a typed object, so the fields that hold
 * credentials are the secret ones and the routing stays readable in a plan.
 */
const CONNECTION_SECRETS = SETTING_SOURCES.filter((source) => source.secret).map(
  (source) => `connection.${source.field}`,
);

/** The metadata of one kind as the plugin uses it: the runtime's, with secrets as schema paths. */
function forPlugin(metadata: KindMetadata): KindMetadata {
  const secretInputs = metadata.secretInputs.flatMap((input) =>
    input === "connection" ? CONNECTION_SECRETS : [input],
  );
  return { ...metadata, secretInputs };
}

/** The metadata of each kind the plugin serves. */
export const kindMetadata: Record<ProviderKind, KindMetadata> = {
  SessionRevocation: forPlugin(lifecycleMetadata.SessionRevocation),
  UserSessionsRevocation: forPlugin(lifecycleMetadata.UserSessionsRevocation),
  PopulationSessionsRevocation: forPlugin(lifecycleMetadata.PopulationSessionsRevocation),
};
