/**
 * A typed selectComponent: `const chat = selectComponentAs<ChatPanelInstance>(this, '#chat')`.
 * WeChat's own returns `TrivialInstance` (every method `any`), so mistakes such as
 * `appendMessage({ idd: 1 })` would compile; through this helper they do not. A selector that
 * matches nothing (wrong id, component not rendered yet) throws BAD_REQUEST instead of giving null.
 */
import { HybridError } from '../core/errors';

/** What has selectComponent: a page, a component, or a page built with Component(). */
export interface ComponentOwner {
  selectComponent(selector: string): unknown;
}

export function selectComponentAs<T>(owner: ComponentOwner, selector: string): T {
  const found = owner.selectComponent(selector);
  if (!found) throw new HybridError('BAD_REQUEST', `no component matches "${selector}" (not rendered yet, or a wrong selector)`);
  return found as T;
}
