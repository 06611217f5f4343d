/** Every property, in report order. */
import type { Property } from './property.ts';
import { noDoubleDecrypt } from './no-double-decrypt.ts';
import { noDoubleEncrypt } from './no-double-encrypt.ts';
import { noEncryptedMappedDecrypted } from './no-encrypted-mapped-decrypted.ts';
import { noDecryptedMappedEncrypted } from './no-decrypted-mapped-encrypted.ts';
import { leakOnlyOnSetMemoryFailure } from './leak-only-on-set-memory-failure.ts';
import { noDecryptedPageToAllocator } from './no-decrypted-page-to-allocator.ts';
import { poolSlotsStayDecrypted } from './pool-slots-stay-decrypted.ts';
import { noBlockingInAtomic } from './no-blocking-in-atomic.ts';
import { pageOwnership } from './page-ownership.ts';

export const PROPERTIES: readonly Property[] = [
  noDoubleDecrypt, noDoubleEncrypt, noEncryptedMappedDecrypted, noDecryptedMappedEncrypted,
  leakOnlyOnSetMemoryFailure, noDecryptedPageToAllocator, poolSlotsStayDecrypted, noBlockingInAtomic, pageOwnership,
];
export const PROPERTY_IDS: readonly string[] = PROPERTIES.map((p) => p.id);
export type { Property };
export { Severity, SEVERITY_NAMES } from './property.ts';
