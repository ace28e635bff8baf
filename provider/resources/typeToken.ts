/**
 * The type token each resource class registers under, written once: the constructors pass its
 * parts to `pulumi.dynamic.Resource`, and `isInstance` compares the whole token, as Pulumi's
 * generated SDKs do, so a resource made by another copy of this package is recognised too.
 */
import type { ProviderKind } from "../runtime";

/** The module part of every resource's type token (`pulumi-nodejs:dynamic/pingone:<kind>`). */
export const RESOURCE_MODULE = "pingone";

/** The type token `pulumi.dynamic.Resource` gives a resource of `kind` in `RESOURCE_MODULE`. */
export function typeTokenOf(kind: ProviderKind): string {
  return `pulumi-nodejs:dynamic/${RESOURCE_MODULE}:${kind}`;
}

/** True when `obj` is a Pulumi resource registered under `token` (Pulumi records it as `__pulumiType` on every resource). */
export function hasTypeToken(obj: unknown, token: string): boolean {
  return obj !== null && typeof obj === "object" && (obj as { __pulumiType?: unknown }).__pulumiType === token;
}
