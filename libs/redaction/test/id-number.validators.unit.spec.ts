import { isCardNumber, isIban, luhn } from '../src';
import { isNinoPrefix, isPhone, isSsn } from '../src/id-number.validators';

describe('luhn', () => {
  it.each(['4111111111111111', '79927398713', '0'])('accepts %s', (digits) => {
    expect(luhn(digits)).toBe(true);
  });

  it.each(['4111111111111112', '79927398710', '12a4'])('rejects %s', (digits) => {
    expect(luhn(digits)).toBe(false);
  });
});

describe('isCardNumber', () => {
  it.each([
    '4111111111111111', // Visa
    '5555555555554444', // Mastercard
    '2223003122003222', // Mastercard 2-series
    '378282246310005', // Amex
    '6011111111111117', // Discover
    '3530111333300000', // JCB
    '30569309025904', // Diners
  ])('accepts the test card %s', (digits) => {
    expect(isCardNumber(digits)).toBe(true);
  });

  it.each([
    ['4111111111111112', 'fails Luhn'],
    ['4006381333931', '13 digits (an EAN-13 barcode)'],
    ['1000000000000009', 'passes Luhn but no issuer starts with 1'],
    ['20240501102030', 'a compact timestamp'],
    ['37828224631000', 'an Amex prefix with 14 digits'],
    ['41111111111111111111', '20 digits'],
  ])('rejects %s (%s)', (digits) => {
    expect(isCardNumber(digits)).toBe(false);
  });
});

describe('isIban', () => {
  it.each([
    'DE89370400440532013000',
    'GB82 WEST 1234 5698 7654 32',
    'FR1420041010050500013M02606',
    'BE68539007547034',
    'PL61109010140000071219812874',
  ])('accepts %s', (iban) => {
    expect(isIban(iban)).toBe(true);
  });

  it.each([
    ['DE89370400440532013001', 'mod-97 fails'],
    ['DE8937040044053201300', 'one character short for DE'],
    ['de89370400440532013000', 'lower case'],
    ['XX00', 'too short'],
  ])('rejects %s (%s)', (iban) => {
    expect(isIban(iban)).toBe(false);
  });
});

describe('isSsn', () => {
  it('rejects area 000, 666 and 9xx, group 00 and serial 0000', () => {
    expect(isSsn('078', '05', '1120')).toBe(true);
    expect(isSsn('000', '12', '3456')).toBe(false);
    expect(isSsn('666', '12', '3456')).toBe(false);
    expect(isSsn('912', '12', '3456')).toBe(false);
    expect(isSsn('123', '00', '3456')).toBe(false);
    expect(isSsn('123', '45', '0000')).toBe(false);
  });
});

describe('isNinoPrefix', () => {
  it('rejects prefixes never issued', () => {
    expect(isNinoPrefix('AB')).toBe(true);
    for (const p of ['BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ']) expect(isNinoPrefix(p)).toBe(false);
  });
});

describe('isPhone', () => {
  it.each([
    '+1 415 555 2671',
    '+14155552671',
    '(+44) 20 7946 0958',
    '(415) 555-2671',
    '415-555-2671',
    '020 7946 0958',
    '07700 900123',
    '06.12.34.56.78',
    '0612345678',
    '612 34 56 78',
    '0049 30 1234567',
  ])('accepts %s', (phone) => {
    expect(isPhone(phone)).toBe(true);
  });

  it.each([
    ['1714560000', 'a unix timestamp'],
    ['4155552671', 'ten bare digits without + or trunk 0'],
    ['0.123456789', 'a decimal'],
    ['01.02.2024 10.30', 'a date and time'],
    ['2024-05-01 10', 'an ISO date and hour'],
    ['0000012345', 'a zero-padded id'],
    ['12345678', 'eight digits'],
    ['+1234567890123456', 'more than 15 digits'],
    ['123 456 789', 'an amount with thousands spaces'],
  ])('rejects %s (%s)', (candidate) => {
    expect(isPhone(candidate)).toBe(false);
  });
});
