// @ts-check
// The test wallet's signing, checked against fixed vectors: `node --test e2e/wallet-provider.test.mjs`.
// The expected signatures were computed once with the Go side's siwe.SignPersonal (decred secp256k1, RFC 6979)
// and its recovery, so a wallet that signs here is one the server accepts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addressOf,
  checksumAddress,
  messageBytes,
  personalHash,
  personalSign,
  recoverAddress,
  TEST_KEYS,
} from './wallet-provider.mjs';

const [KEY0, KEY1] = /** @type {[string, string]} */ (TEST_KEYS);
const ADDRESS0 = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const ADDRESS1 = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const SIWE_LIKE = 'dashboard.test wants you to sign in with your Ethereum account:\nX\n\nNonce: ü';

/** @param {Uint8Array} b */
const hex = (b) => Buffer.from(b).toString('hex');

test('the test keys have their well-known addresses, in EIP-55 form', () => {
  assert.equal(addressOf(KEY0), ADDRESS0);
  assert.equal(addressOf(KEY1), ADDRESS1);
  assert.equal(checksumAddress(ADDRESS0.toLowerCase()), ADDRESS0);
});

test('the EIP-191 hash is the one every wallet computes', () => {
  // hashMessage("Hello World"), as documented by ethers and computed by siwe.PersonalHash.
  assert.equal(hex(personalHash(messageBytes('Hello World'))), 'a1de988600a42c4b4ab089b619297c17d53cffae5d5120d82d8a92d0bb3b78f2');
  // Multi-byte UTF-8: the length in the prefix counts bytes, not characters.
  assert.equal(hex(personalHash(messageBytes(SIWE_LIKE))), '3ce8c03162a50421a20517d657307083cd3d46a79589d933924ab70c17e54687');
});

test('personal_sign gives the signatures the Go side computes for the same keys', () => {
  assert.equal(
    personalSign(KEY0, 'Hello World'),
    '0x65e72b1cf8e189569963750e10ccb88fe89389daeeb8b735277d59cd6885ee823eb5a6982b540f185703492dab77b863a88ce01f27e21ade8b2879c10fc9e6531c',
  );
  assert.equal(
    personalSign(KEY1, SIWE_LIKE),
    '0x2acf669cdc6c75cd4fffc41485fa5208a0f3eecf62cfc580f51d4b21db7f89f34cf97aee03a9109136f51392a53775986cd3215aab4f754e0f45a81f1fce41671c',
  );
});

test('a hex-encoded message is signed as the text it spells, and recovers to the signer', () => {
  const asHex = `0x${Buffer.from(SIWE_LIKE, 'utf8').toString('hex')}`;
  const sig = personalSign(KEY0, messageBytes(asHex));
  assert.equal(sig, personalSign(KEY0, SIWE_LIKE));
  assert.equal(recoverAddress(SIWE_LIKE, sig), ADDRESS0);
  // Another message or another key does not recover to the same address.
  assert.notEqual(recoverAddress(`${SIWE_LIKE}!`, sig), ADDRESS0);
  assert.equal(recoverAddress(SIWE_LIKE, personalSign(KEY1, SIWE_LIKE)), ADDRESS1);
});
