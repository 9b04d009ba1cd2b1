/**
 * The statecharts of the signed-in client, live: the line (always), the current call, and one
 * chart per invitee of the caller's call, fed by the `inspect` option's snapshot events.
 */
import { type TRTCCallingOptions, callMachine, inviteeMachine, lineMachine } from 'headless-calling';
import { statechartOf } from 'headless-calling/inspect';
import { el } from '../ui/dom';
import { MachineView } from './view';

type InspectFn = Extract<NonNullable<TRTCCallingOptions['inspect']>, (...args: never[]) => unknown>;
/** An XState inspection event, as the `inspect` option receives it. */
export type InspectionEvent = Parameters<InspectFn>[0];

const charts = { line: statechartOf(lineMachine), call: statechartOf(callMachine), invitee: statechartOf(inviteeMachine) };

/** The drawer's statechart pane. */
export class StatechartPanel {
  private readonly line = new MachineView('Line', charts.line, 'sc-line');
  private readonly call = new MachineView('Call', charts.call, 'sc-call');
  private readonly invitees = new Map<string, MachineView>();
  private readonly inviteeHost = el('div', { className: 'sc-invitees', testid: 'sc-invitees' });
  private readonly inviteeHead = el('h3', { className: 'sc-group', text: 'Invitees (the caller’s side of the call)' });
  /** The invitees drawn belong to a call that is over: the next call's replace them. */
  private stale = false;

  constructor(host: HTMLElement) {
    this.inviteeHead.classList.add('hidden');
    host.replaceChildren(
      el('p', { className: 'hint', text: 'Drawn by the page from statechartOf(machine). The active states are highlighted, and the arrow just taken is highlighted with the event that fired it.' }),
      this.line.element,
      this.call.element,
      this.inviteeHead,
      this.inviteeHost,
    );
  }

  /** Forget everything (a new client after sign-in). */
  reset(): void {
    this.line.update(null, false, null);
    this.call.update(null, false, null);
    this.dropInvitees();
    this.stale = false;
  }

  /** The `inspect` option of TRTCCalling. */
  inspect(event: InspectionEvent): void {
    if (event.type !== '@xstate.snapshot') return;
    const ref = event.actorRef as { id?: string; logic?: { id?: string } };
    const snapshot = event.snapshot as { value?: unknown; status?: string };
    const kind = ref.logic?.id;
    const done = snapshot.status === 'done';
    const stopped = snapshot.status === 'stopped';
    const value = stopped ? null : (snapshot.value ?? null);
    const cause = event.event.type;
    if (kind === 'line') return this.line.update(value, done, cause);
    if (cause === 'xstate.init' && this.stale && (kind === 'call' || kind === 'invitee')) {
      this.stale = false; // a new call (its invitees start before it): the old call's go
      this.dropInvitees();
    }
    if (kind === 'call') {
      if (done || stopped) this.stale = true;
      // A call that ended stays drawn in its final state until the next one.
      if (!stopped) this.call.update(value, done, cause);
      return;
    }
    if (kind === 'invitee' && ref.id) {
      let view = this.invitees.get(ref.id);
      if (!view) {
        view = new MachineView(ref.id.replace(/^invitee:/, 'Invitee '), charts.invitee, `sc-${ref.id.replace(':', '-')}`);
        this.invitees.set(ref.id, view);
        this.inviteeHost.append(view.element);
        this.inviteeHead.classList.remove('hidden');
      }
      if (!stopped) view.update(value, done, cause);
    }
  }

  private dropInvitees(): void {
    this.invitees.clear();
    this.inviteeHost.replaceChildren();
    this.inviteeHead.classList.add('hidden');
  }
}
