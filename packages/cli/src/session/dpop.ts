import {
  bindDpopKeyToStore,
  type DpopKey,
  generateDpopKey,
  openStoredDpopKey,
  type TokenStore,
} from '@gatehouse/client';
import type { Settings } from '../config/settings.js';
import type { CliIO } from '../io.js';
import { requireClientSettings } from './client.js';
import { storeWarner } from './output.js';
import { passphraseSource } from './store.js';

/** A login's DPoP key (none for bearer tokens) and the store to use with it. */
export interface LoginDpop {
  key?: DpopKey;
  /** The profile's store; with a key, one that keeps the key with every token set it writes. */
  store: TokenStore;
}

/**
 * The DPoP key of a login, kept in its token store (the named secret `dpop_key`, so it is in clear, sealed
 * with the passphrase or in the OS keychain exactly like the refresh token): the key its stored tokens are
 * bound to, so a login made with `--dpop` stays bound without the flag (renewals need the key); else, when
 * the profile asks for DPoP, a new one; else none. A key an earlier version kept in `<profile>.dpop.json`
 * beside the token file is moved into the store.
 */
export async function openLoginDpop(login: Settings, store: TokenStore, io: CliIO): Promise<LoginDpop> {
  requireClientSettings(login);
  const passphrase = passphraseSource(io);
  const found = await openStoredDpopKey(store, {
    issuer: login.issuer!,
    clientId: login.clientId!,
    create: login.dpop,
    onWarning: storeWarner(io),
    ...(passphrase ? { passphrase } : {}),
  });
  return found ? { key: found.key, store: found.store } : { store };
}

/** A new login's key: a fresh one with `--dpop` (a key never outlives the login it was made for), else none. */
export async function newLoginDpop(login: Settings, store: TokenStore, io: CliIO): Promise<LoginDpop> {
  if (!login.dpop) return { store };
  const key = await generateDpopKey();
  return { key, store: await bindDpopKeyToStore(store, key, { onWarning: storeWarner(io) }) };
}
