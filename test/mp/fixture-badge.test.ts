import { loadComponent, simulate } from '../helpers/mp';

const id = loadComponent('components/fixture-badge/index', 'hk-badge');

test('the built fixture component renders and updates under miniprogram-simulate', () => {
  const comp = simulate.render(id, { label: 'n' });
  comp.attach(document.createElement('parent-wrapper'));
  const changes: number[] = [];
  comp.addEventListener('change', (e: { detail: { count: number } }) => changes.push(e.detail.count));
  expect(comp.querySelector('.hk-badge')!.dom!.textContent).toBe('n: 0');
  (comp.instance as unknown as { increment(): number }).increment();
  expect(comp.querySelector('.hk-badge')!.dom!.textContent).toBe('n: 1');
  expect(changes).toEqual([1]);
});
