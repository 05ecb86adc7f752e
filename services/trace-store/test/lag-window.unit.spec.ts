import { LagWindow } from '../src/domain/lag-window';

describe(LagWindow.name, () => {
  it('reports percentiles of what it holds', () => {
    const sut = new LagWindow(1000);
    for (let i = 1; i <= 100; i++) sut.record(i);
    expect(sut.summary()).toEqual({ count: 100, p50: 51, p99: 100, max: 100 });
  });

  it('keeps only the most recent values', () => {
    const sut = new LagWindow(3);
    [500, 1, 2, 3].forEach((v) => sut.record(v));
    expect(sut.summary()).toMatchObject({ count: 3, max: 3 });
  });

  it('is empty after a reset', () => {
    const sut = new LagWindow(3);
    sut.record(5);
    sut.reset();
    expect(sut.summary()).toEqual({ count: 0, p50: 0, p99: 0, max: 0 });
  });
});
