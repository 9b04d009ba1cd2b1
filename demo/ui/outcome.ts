/**
 * How the last call went, in plain words, kept on screen until the next call (or until
 * dismissed): the most precise thing said about a call wins ("bob declined" is not replaced by
 * the CALL_END that follows it), and an error banner of its own for failed actions.
 */
import { $, show } from './dom';
import { setIcon } from './icons';
import { type EndContext, endedInWords } from './words';

/** The outcome and error banners of the home screen. */
export class Outcome {
  private notes: string[] = [];

  constructor() {
    setIcon($('outcome-close'), 'close');
    setIcon($('error-close'), 'close');
    $('outcome-close').addEventListener('click', () => this.clear());
    $('error-close').addEventListener('click', () => this.error(null));
  }

  /** A new call begins: the last one's outcome and any error go. */
  clear(): void {
    this.notes = [];
    this.paint();
    this.error(null);
  }

  /** Something precise about the current call ("bob declined"). */
  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
    this.paint();
  }

  /** The call ended: says how, unless something more precise was said already. */
  ended(end: EndContext): void {
    if (this.notes.length === 0) this.notes.push(endedInWords(end));
    else if (end.callEnd > 0 && end.reason === 'hangup') this.notes.push(endedInWords(end));
    this.paint();
  }

  /** Shows an error (null hides it). */
  error(text: string | null): void {
    $('error-text').textContent = text ?? '';
    show($('error'), text !== null);
  }

  get text(): string {
    return this.notes.join(' · ');
  }

  private paint(): void {
    $('outcome-text').textContent = this.text;
    show($('outcome'), this.notes.length > 0);
  }
}
