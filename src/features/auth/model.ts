import { t } from "elysia";

export const EMAIL = t.String({ pattern: "^[^\\s@\\u0000]+@[^\\s@\\u0000]+\\.[^\\s@\\u0000]+$", maxLength: 320, description: "Email address" });

export const LoginBody = t.Object({
  email: EMAIL,
  password: t.String({ minLength: 1, maxLength: 1024 }),
  mfa_code: t.Optional(t.Nullable(t.String({ maxLength: 64 }))),
});

export const RefreshBody = t.Optional(t.Object({ refresh_token: t.Optional(t.String()) }));

export const TokenResponse = t.Object({
  access_token: t.String(),
  refresh_token: t.String(),
  token_type: t.Literal("bearer"),
  expires_in: t.Integer(),
});

export const AuthProvider = t.Object({
  id: t.String(),
  type: t.Union([t.Literal("oauth"), t.Literal("password")]),
  name: t.String(),
  enabled: t.Boolean(),
  auth_url: t.Nullable(t.String()),
  icon: t.Nullable(t.String()),
});

export const ProvidersResponse = t.Object({ providers: t.Array(AuthProvider), default_redirect: t.String() });

export const LogoutQuery = t.Object({ revoke_all_sessions: t.Optional(t.BooleanString({ default: false })) });
