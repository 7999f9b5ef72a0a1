//! The three KMS ciphers and MACs (protocol notes §2.5), built on RustCrypto crates. Public so
//! the lab responder and the fuzz target can craft payloads; ordinary callers use the
//! encode/decode functions of the parent module.

use aes::hazmat::{cipher_round, equiv_inv_cipher_round, inv_mix_columns, mix_columns};
use aes::Aes128;
use cipher::consts::{U1, U16};
use cipher::{
    Array, Block, BlockCipherDecBackend, BlockCipherDecClosure, BlockCipherDecrypt,
    BlockCipherEncBackend, BlockCipherEncClosure, BlockCipherEncrypt, BlockModeDecrypt,
    BlockModeEncrypt, BlockSizeUser, InOut, InnerIvInit, KeyInit, ParBlocksSizeUser,
};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::{V4_KEY, V5_KEY, V6_KEY, V6_TIME_C1, V6_TIME_C2, V6_TIME_C3};

/// Most round keys we hold: Rijndael-160 has 11 rounds → 12 round keys.
const MAX_ROUND_KEYS: usize = 12;

/// Expanded round keys for a Rijndael cipher with a 128-bit block, applied through the
/// `aes` crate's hazmat round functions (valid for any Nk because the round function of
/// Rijndael with a 128-bit block does not depend on the key size).
#[derive(Clone)]
struct RoundKeys {
    enc: [[u8; 16]; MAX_ROUND_KEYS],
    /// Round keys for the equivalent inverse cipher (InvMixColumns of rounds 1..Nr-1).
    dec: [[u8; 16]; MAX_ROUND_KEYS],
    rounds: usize,
}

/// SubWord through the crate: one `cipher_round` with a zero key is
/// MixColumns(ShiftRows(SubBytes(s))); undoing MixColumns leaves ShiftRows(SubBytes(s)),
/// and row 0 (bytes 0, 4, 8, 12) is not shifted.
fn sub_word(w: [u8; 4]) -> [u8; 4] {
    let mut b = aes::Block::default();
    for (i, &x) in w.iter().enumerate() {
        b[4 * i] = x;
    }
    cipher_round(&mut b, &aes::Block::default());
    inv_mix_columns(&mut b);
    [b[0], b[4], b[8], b[12]]
}

impl RoundKeys {
    /// FIPS 197 key expansion for Nk = key.len()/4 words and `rounds` rounds; Rcon is
    /// needed up to index 9 (AES-128: words 4..44, Rijndael-160: words 5..48).
    fn expand(key: &[u8], rounds: usize) -> RoundKeys {
        const RCON: [u8; 10] = [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36];
        let nk = key.len() / 4;
        let total = 4 * (rounds + 1);
        let mut w = [[0u8; 4]; 4 * MAX_ROUND_KEYS];
        for (word, chunk) in w.iter_mut().zip(key.chunks_exact(4)) {
            word.copy_from_slice(chunk);
        }
        for i in nk..total.min(w.len()) {
            let mut t = w[i - 1];
            if i % nk == 0 {
                t = sub_word([t[1], t[2], t[3], t[0]]);
                t[0] ^= RCON.get(i / nk - 1).copied().unwrap_or(0);
            }
            let p = w[i - nk];
            w[i] = [p[0] ^ t[0], p[1] ^ t[1], p[2] ^ t[2], p[3] ^ t[3]];
        }
        let mut enc = [[0u8; 16]; MAX_ROUND_KEYS];
        for (rk, words) in enc.iter_mut().zip(w.chunks_exact(4)) {
            for (j, word) in words.iter().enumerate() {
                rk[4 * j..4 * j + 4].copy_from_slice(word);
            }
        }
        let mut keys = RoundKeys {
            enc,
            dec: [[0u8; 16]; MAX_ROUND_KEYS],
            rounds: rounds.min(MAX_ROUND_KEYS - 1),
        };
        keys.derive_decryption_keys();
        keys
    }

    fn derive_decryption_keys(&mut self) {
        self.dec = self.enc;
        for rk in self.dec.iter_mut().take(self.rounds).skip(1) {
            let mut b = aes::Block::from(*rk);
            inv_mix_columns(&mut b);
            *rk = b.into();
        }
    }

    fn encrypt(&self, block: &mut [u8; 16]) {
        let mut s = aes::Block::from(*block);
        xor_into(&mut s, &self.enc[0]);
        for rk in self.enc.iter().take(self.rounds).skip(1) {
            cipher_round(&mut s, &aes::Block::from(*rk));
        }
        // Last round has no MixColumns: do a full round with a zero key, undo MixColumns.
        cipher_round(&mut s, &aes::Block::default());
        inv_mix_columns(&mut s);
        xor_into(&mut s, &self.enc[self.rounds]);
        *block = s.into();
    }

    fn decrypt(&self, block: &mut [u8; 16]) {
        let mut s = aes::Block::from(*block);
        xor_into(&mut s, &self.dec[self.rounds]);
        for rk in self.dec.iter().take(self.rounds).skip(1).rev() {
            equiv_inv_cipher_round(&mut s, &aes::Block::from(*rk));
        }
        // Last inverse round has no InvMixColumns: zero-key round, then redo MixColumns.
        equiv_inv_cipher_round(&mut s, &aes::Block::default());
        mix_columns(&mut s);
        xor_into(&mut s, &self.dec[0]);
        *block = s.into();
    }
}

fn xor_into(s: &mut aes::Block, k: &[u8; 16]) {
    for (x, y) in s.iter_mut().zip(k) {
        *x ^= y;
    }
}

/// The V6 "modified AES" (§2.5.3): AES-128 with the V6 key whose expanded schedule has
/// byte 0 of round keys 4, 6 and 8 XORed with 0x73, 0x09 and 0xE4. Implements the
/// `cipher` block traits so the `cbc` crate can drive it.
#[derive(Clone)]
pub struct V6Aes {
    keys: RoundKeys,
}

impl V6Aes {
    /// The cipher with the tweaked schedule.
    pub fn new() -> V6Aes {
        Self::with_tweak(true)
    }

    /// `tweak = false` gives stock AES-128 with the V6 key (only for checking the §8
    /// vector that tells the two apart).
    pub fn with_tweak(tweak: bool) -> V6Aes {
        let mut keys = RoundKeys::expand(&V6_KEY, 10);
        if tweak {
            keys.enc[4][0] ^= 0x73;
            keys.enc[6][0] ^= 0x09;
            keys.enc[8][0] ^= 0xE4;
            keys.derive_decryption_keys();
        }
        V6Aes { keys }
    }
}

impl Default for V6Aes {
    fn default() -> Self {
        Self::new()
    }
}

impl BlockSizeUser for V6Aes {
    type BlockSize = U16;
}

impl ParBlocksSizeUser for V6Aes {
    type ParBlocksSize = U1;
}

impl BlockCipherEncBackend for V6Aes {
    fn encrypt_block(&self, mut block: InOut<'_, '_, Block<Self>>) {
        let mut b: [u8; 16] = block.clone_in().into();
        self.keys.encrypt(&mut b);
        *block.get_out() = Array::from(b);
    }
}

impl BlockCipherDecBackend for V6Aes {
    fn decrypt_block(&self, mut block: InOut<'_, '_, Block<Self>>) {
        let mut b: [u8; 16] = block.clone_in().into();
        self.keys.decrypt(&mut b);
        *block.get_out() = Array::from(b);
    }
}

impl BlockCipherEncrypt for V6Aes {
    fn encrypt_with_backend(&self, f: impl BlockCipherEncClosure<BlockSize = U16>) {
        f.call(self)
    }
}

impl BlockCipherDecrypt for V6Aes {
    fn decrypt_with_backend(&self, f: impl BlockCipherDecClosure<BlockSize = U16>) {
        f.call(self)
    }
}

/// Which block cipher a v5 or v6 payload uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cipher {
    /// Stock AES-128, V5 key.
    V5,
    /// Tweaked AES-128, V6 key.
    V6,
}

/// One raw block encryption.
pub fn encrypt_block(cipher: Cipher, block: [u8; 16]) -> [u8; 16] {
    let mut b = Array::from(block);
    match cipher {
        Cipher::V5 => Aes128::new(&V5_KEY.into()).encrypt_block(&mut b),
        Cipher::V6 => BlockCipherEncrypt::encrypt_block(&V6Aes::new(), &mut b),
    }
    b.into()
}

/// One raw block decryption: e.g. DIV = decrypt_block(IV) (§2.2).
pub fn decrypt_block(cipher: Cipher, block: [u8; 16]) -> [u8; 16] {
    let mut b = Array::from(block);
    match cipher {
        Cipher::V5 => Aes128::new(&V5_KEY.into()).decrypt_block(&mut b),
        Cipher::V6 => BlockCipherDecrypt::decrypt_block(&V6Aes::new(), &mut b),
    }
    b.into()
}

fn cbc_enc<C: BlockCipherEncrypt<BlockSize = U16>>(c: C, iv: &[u8; 16], data: &mut [u8]) {
    let mut mode = cbc::Encryptor::<C>::inner_iv_init(c, &Array::from(*iv));
    for chunk in data.chunks_exact_mut(16) {
        let mut b = Array::<u8, U16>::default();
        b.copy_from_slice(chunk);
        mode.encrypt_block(&mut b);
        chunk.copy_from_slice(&b);
    }
}

fn cbc_dec<C: BlockCipherDecrypt<BlockSize = U16>>(c: C, iv: &[u8; 16], data: &mut [u8]) {
    let mut mode = cbc::Decryptor::<C>::inner_iv_init(c, &Array::from(*iv));
    for chunk in data.chunks_exact_mut(16) {
        let mut b = Array::<u8, U16>::default();
        b.copy_from_slice(chunk);
        mode.decrypt_block(&mut b);
        chunk.copy_from_slice(&b);
    }
}

/// CBC-encrypt whole blocks in place (a trailing partial block is left untouched; callers
/// pad first). Padding is the caller's, so errors can name the check that failed.
pub fn cbc_encrypt(cipher: Cipher, iv: &[u8; 16], data: &mut [u8]) {
    match cipher {
        Cipher::V5 => cbc_enc(Aes128::new(&V5_KEY.into()), iv, data),
        Cipher::V6 => cbc_enc(V6Aes::new(), iv, data),
    }
}

/// CBC-decrypt whole blocks in place (a trailing partial block is left untouched).
pub fn cbc_decrypt(cipher: Cipher, iv: &[u8; 16], data: &mut [u8]) {
    match cipher {
        Cipher::V5 => cbc_dec(Aes128::new(&V5_KEY.into()), iv, data),
        Cipher::V6 => cbc_dec(V6Aes::new(), iv, data),
    }
}

/// Append PKCS#7 padding (1..=16 bytes, always at least one).
pub fn pkcs7_pad(data: &mut Vec<u8>) {
    let n = 16 - data.len() % 16;
    data.resize(data.len() + n, n as u8);
}

/// Length of `data` without its PKCS#7 padding, or `None` if the padding is invalid
/// (last byte not 1..=16, pad bytes not all equal, or data shorter than the pad).
pub fn pkcs7_unpadded_len(data: &[u8]) -> Option<usize> {
    let &n = data.last()?;
    let n = usize::from(n);
    if !(1..=16).contains(&n) || n > data.len() {
        return None;
    }
    let start = data.len() - n;
    data.get(start..)?
        .iter()
        .all(|&b| usize::from(b) == n)
        .then_some(start)
}

/// One Rijndael-128/160 block encryption with the V4 key (§2.5.1, §8 vector).
pub fn v4_encrypt_block(block: [u8; 16]) -> [u8; 16] {
    let mut b = block;
    RoundKeys::expand(&V4_KEY, 11).encrypt(&mut b);
    b
}

/// The V4 MAC (§2.5.1): Rijndael with the 160-bit V4 key (Nk 5, 11 rounds, 12 round
/// keys), CBC with a zero IV over the message padded with `80 00…` (always at least one
/// byte, so whole-block messages get a full extra block); the last block is the MAC.
pub fn v4_mac(msg: &[u8]) -> [u8; 16] {
    let keys = RoundKeys::expand(&V4_KEY, 11);
    let mut state = [0u8; 16];
    let mut absorb = |block: &[u8]| {
        for (s, b) in state.iter_mut().zip(block) {
            *s ^= b;
        }
        keys.encrypt(&mut state);
    };
    let mut chunks = msg.chunks_exact(16);
    for c in chunks.by_ref() {
        absorb(c);
    }
    let rest = chunks.remainder();
    let mut last = [0u8; 16];
    last[..rest.len()].copy_from_slice(rest);
    last[rest.len()] = 0x80; // rest.len() < 16
    absorb(&last);
    state
}

/// The V6 HMAC key for a FILETIME and a time-slot offset (§2.5.4):
/// slot = (T / C1) · C2 + C3 + offset · C1 (wrapping), K = bytes 16..32 of
/// SHA-256(slot as 8 LE bytes).
pub fn v6_hmac_key(filetime: u64, offset: i64) -> [u8; 16] {
    let slot = (filetime / V6_TIME_C1)
        .wrapping_mul(V6_TIME_C2)
        .wrapping_add(V6_TIME_C3)
        .wrapping_add((offset as u64).wrapping_mul(V6_TIME_C1));
    let digest = Sha256::digest(slot.to_le_bytes());
    let mut k = [0u8; 16];
    k.copy_from_slice(&digest[16..32]);
    k
}

/// The truncated V6 HMAC: bytes 16..32 of HMAC-SHA256(key, msg).
pub fn v6_hmac(key: &[u8; 16], msg: &[u8]) -> [u8; 16] {
    let mut out = [0u8; 16];
    // HMAC accepts keys of any length; the Err arm cannot happen.
    if let Ok(mut mac) = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(key) {
        mac.update(msg);
        out.copy_from_slice(&mac.finalize().into_bytes()[16..32]);
    }
    out
}

/// Verify a truncated V6 HMAC with the crate's constant-time comparison of the right-most
/// 16 bytes; tries time-slot offsets 0, −1, +1 and returns the one that matched.
pub fn v6_hmac_verify(filetime: u64, msg: &[u8], tag: &[u8; 16]) -> Option<i8> {
    [0i8, -1, 1].into_iter().find(|&off| {
        let key = v6_hmac_key(filetime, i64::from(off));
        match <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&key) {
            Ok(mut mac) => {
                mac.update(msg);
                mac.verify_truncated_right(tag).is_ok()
            }
            Err(_) => false,
        }
    })
}
