import jwt from 'jsonwebtoken';
import { createSmsApiToken, verifySmsApiToken } from './token';

const SECRET = 'sms-test-secret-0123456789';

describe('createSmsApiToken / verifySmsApiToken', () => {
  it('a token signed with the secret verifies and is HS256', () => {
    const token = createSmsApiToken(SECRET);
    expect(verifySmsApiToken(token, SECRET)).toBe(true);
    expect(jwt.decode(token, { complete: true })?.header.alg).toBe('HS256');
  });

  it('a token signed with another secret does not', () => {
    expect(verifySmsApiToken(createSmsApiToken('another-secret-entirely'), SECRET)).toBe(false);
  });

  it('an expired token does not', () => {
    const expired = jwt.sign({ exp: Math.floor(Date.now() / 1000) - 10 }, SECRET, { algorithm: 'HS256' });
    expect(verifySmsApiToken(expired, SECRET)).toBe(false);
  });

  it('an unsigned token does not', () => {
    const unsigned = jwt.sign({ sub: 'x' }, '', { algorithm: 'none' });
    expect(verifySmsApiToken(unsigned, SECRET)).toBe(false);
  });

  it('rubbish does not', () => {
    expect(verifySmsApiToken('dev-sms-token', SECRET)).toBe(false);
  });
});
