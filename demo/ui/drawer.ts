/**
 * The developer drawer: the live statecharts and the event log, out of the way of the call.
 * On a desktop it slides in beside the stage; on a phone it covers the screen.
 */
import { $ } from './dom';
import { setIcon } from './icons';

/** The drawer and its two tabs. */
export class Drawer {
  private readonly drawer = $('drawer');

  constructor() {
    setIcon($('dev-btn'), 'code');
    setIcon($('call-dev-btn'), 'code');
    setIcon($('drawer-close'), 'close');
    for (const id of ['dev-btn', 'call-dev-btn']) $(id).addEventListener('click', () => this.toggle());
    $('drawer-close').addEventListener('click', () => this.toggle(false));
    $('tab-charts').addEventListener('click', () => this.tab('charts'));
    $('tab-log').addEventListener('click', () => this.tab('log'));
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.isOpen) this.toggle(false);
    });
  }

  get isOpen(): boolean {
    return document.body.classList.contains('drawer-open');
  }

  toggle(open = !this.isOpen): void {
    document.body.classList.toggle('drawer-open', open);
    this.drawer.setAttribute('aria-hidden', String(!open));
  }

  tab(which: 'charts' | 'log'): void {
    $('tab-charts').classList.toggle('active', which === 'charts');
    $('tab-log').classList.toggle('active', which === 'log');
    $('pane-charts').classList.toggle('hidden', which !== 'charts');
    $('pane-log').classList.toggle('hidden', which !== 'log');
  }
}
