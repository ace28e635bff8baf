/**
 * How this process's messages name a setting. The dynamic resources read `pingone:*` stack config,
 * the provider plugin `pingone-sessions:*` provider configuration: each check reason and
 * configuration error must name the keys the user actually wrote. Set by `configure`; read by the
 * property parsers (common.ts) and the client resolver (context.ts), which cannot import each other.
 */
import { SettingName } from "../client/settings";

// One object, not a module-level `let`: state must be shared, whatever copies the serializer makes.
const current: { naming?: SettingName } = {};

/** Names settings as `naming` does from now on; `undefined` restores `pingone:x / PINGONE_X`. */
export function useSettingNaming(naming: SettingName | undefined): void {
  current.naming = naming;
}

/** The naming `configure` set, or `undefined` for the default (`pingone:x / PINGONE_X`). */
export function settingNaming(): SettingName | undefined {
  return current.naming;
}
