// Type-level test, checked by `tsc --noEmit` (npm run typecheck): the Express augmentation must type
// req.auth so that handlers compile without casts, and must not turn it into `any`.
import type { AuthContext } from '@gatehouse/core';
import express from 'express';
import { gatehouse } from '../src/index.js';

const app = express();
const auth = gatehouse({ provider: { validateToken: async () => ({}) as AuthContext } });
app.use(auth);
app.get('/', auth.admin(), auth.scopes('a', 'b'), auth.optional(), auth.required(), (req, res) => {
  const subject: string = req.auth.subject;
  const admin: boolean = req.auth.isAdmin;
  const scopes: readonly string[] = req.auth.scopes;
  // @ts-expect-error: AuthContext has no such field (req.auth is not `any`)
  req.auth.notAField;
  // @ts-expect-error: the identity is read-only
  req.auth.isAdmin = true;
  res.json({ subject, admin, scopes });
});
