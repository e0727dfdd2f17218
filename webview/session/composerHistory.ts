// The composer's sent-message history, walked with Up/Down like a shell. The draft typed before
// walking is kept and comes back at the newest end.
export class ComposerHistory {
  private position: number;
  private draft = '';

  constructor(private entries: string[] = [], private readonly limit = 50) {
    this.entries = entries.slice(-limit);
    this.position = this.entries.length;
  }

  get all(): readonly string[] { return this.entries; }

  push(text: string): void {
    if (this.entries[this.entries.length - 1] !== text) this.entries.push(text);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    this.position = this.entries.length;
    this.draft = '';
  }

  /** The entry one step older (-1) or newer (+1), or null when there is none that way. */
  step(direction: -1 | 1, current: string): string | null {
    if (direction < 0) {
      if (this.position === 0) return null;
      if (this.position === this.entries.length) this.draft = current;
      this.position--;
      return this.entries[this.position];
    }
    if (this.position >= this.entries.length) return null;
    this.position++;
    return this.position === this.entries.length ? this.draft : this.entries[this.position];
  }
}
