import { canonical, scanText } from '../src';

describe('scanText', () => {
  it('lower-cases and collapses white space, trimming the ends', () => {
    const sut = scanText('  Where IS\tmy\n\n order?  ');
    expect(sut.folded).toBe('where is my order?');
    expect(sut.squashed).toBe('whereismyorder');
    expect(sut.lines).toBe('  where is\tmy\n\n order?  ');
    expect(sut.ascii).toBe(true);
  });

  it('folds full-width and mathematical letters (NFKC)', () => {
    expect(scanText('Ｉｇｎｏｒｅ').folded).toBe('ignore');
    expect(scanText('𝐢𝐠𝐧𝐨𝐫𝐞').folded).toBe('ignore');
  });

  it('removes invisible characters', () => {
    const sut = scanText('ig\u200bno\u00adre\u2060 it\ufeff');
    expect(sut.folded).toBe('ignore it');
    expect(sut.ascii).toBe(false);
  });

  it('reads Cyrillic and Greek look-alikes as Latin letters', () => {
    expect(scanText('іgnоrе рrеvіоus').folded).toBe('ignore previous');
    expect(scanText('ρrοmρt').folded).toBe('prompt');
  });

  it('reads digits and symbols inside words as letters, but leaves numbers alone', () => {
    expect(scanText('1gn0r3 pr3v10us').folded).toBe('ignore previous');
    expect(scanText('p@$$word').folded).toBe('password');
    expect(scanText('order 1042 costs $129.90 on 3/11').folded).toBe(
      'order 1042 costs $129.90 on 3/11',
    );
  });

  it('joins words spelled out letter by letter', () => {
    expect(scanText('i g n o r e  all').folded).toBe('ignore all');
    expect(scanText('s.y.s.t.e.m p-r-o-m-p-t').folded).toBe('system prompt');
    expect(scanText('a b c').folded).toBe('a b c');
  });

  it('drops emphasis and double quotes', () => {
    expect(scanText('**ignore** "all" ~~rules~~').folded).toBe('ignore all rules');
  });

  it('keeps letters and digits only in squashed', () => {
    expect(scanText('Ig-nore, pre.vious: in_structions!').squashed).toBe(
      'ignorepreviousinstructions',
    );
  });

  it('keeps other scripts', () => {
    // Cyrillic letters that look Latin are read as Latin (that is the point); the others stay.
    expect(scanText('Где мой заказ').folded).toBe('гдe moй зakaз');
    expect(scanText('شكرا لك').folded).toBe('شكرا لك');
  });

  it('measures the longest base64-like run', () => {
    expect(scanText('short words only').longestRun).toBe(5);
    expect(scanText(`x ${'QUJD'.repeat(20)} y`).longestRun).toBe(80);
  });
});

describe('canonical', () => {
  it('normalises and collapses but keeps case', () => {
    expect(canonical('DROP\u200b  TABLE\nＵsers')).toBe('DROP TABLE Users');
  });
});
