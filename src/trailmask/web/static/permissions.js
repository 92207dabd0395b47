// Reading whoami's permission list the way trailmask.rbac does (docs/auth.md), only to grey out
// what the role cannot use; the server enforces every permission itself.

export function globMatch(pattern, permission) {
  if (pattern === "*") return true;
  const kind = (text) => (text.includes(":") ? text.split(":", 1)[0] : "");
  if (kind(pattern) !== kind(permission)) return false;
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${source}$`).test(permission);
}

/** Does whoami's permission list grant ``permission``? Default deny, a ``!`` denial wins. */
export function permits(permissions, permission) {
  const list = permissions.map((p) => String(p).trim()).filter(Boolean);
  if (list.some((p) => p.startsWith("!") && globMatch(p.slice(1).trim(), permission))) return false;
  return list.some((p) => !p.startsWith("!") && globMatch(p, permission));
}
