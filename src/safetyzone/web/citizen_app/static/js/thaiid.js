// The Thai national ID (เลขประจำตัวประชาชน), checked on the phone as the server checks it
// (core/thaiid.py): 13 digits, spaces and dashes allowed, the first not 0, and the last
// the check digit (11 - sum(d[i] * (13 - i)) % 11) % 10. A typo is said at once, and
// nothing is sent.

export function normalizeThaiId(text) {
  return String(text || '').replace(/[\s-]/g, '');
}

export function thaiIdValid(text) {
  const digits = normalizeThaiId(text);
  if (!/^[0-9]{13}$/.test(digits) || digits[0] === '0') return false;
  let total = 0;
  for (let i = 0; i < 12; i += 1) total += Number(digits[i]) * (13 - i);
  return (11 - (total % 11)) % 10 === Number(digits[12]);
}
