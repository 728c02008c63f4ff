/*
 * database_picker.ts — the playground's databases: the origin's list
 * (worker-host's db_registry.ts: name, size, created, open or not), and
 * create, open, delete, export (a download), import (an upload), and the
 * sample databases (samples.ts) loaded in one click.
 *
 * Exports: DatabasePicker, databaseUrl
 *
 * The page runs one database at a time; opening another is a navigation to
 * ?db=NAME, so the sessions, views and shared memory of the old one go with
 * its page (and its Web Lock with them). A sample is a new database opened
 * with ?sample=NAME: main.ts runs the sample's script once the postmaster
 * runs, then drops the parameter from the URL.
 *
 * Rules:
 *  1. The current database is open, so deleting it is refused by the
 *     registry (55006); exporting it first closes it (main.ts's
 *     closeCurrent: sessions released, postmaster shut down with its
 *     checkpoint), downloads the archive, and opens it again in the page
 *     (the sessions connect again at their next Run).
 *  2. Every action's error is shown with its SQLSTATE under the list and
 *     changes nothing else. A success message is shown after the list is
 *     redrawn (so the list a reader sees beside it is already the new one).
 */

import {
  createDatabase, deleteDatabase, exportDatabase, getDatabase, importDatabase, listDatabases, type ListedDatabase,
} from '@tabgres/worker-host/browser';
import { SAMPLES, type Sample } from './samples.ts';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls !== undefined) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The page's URL for database `name` (the other parameters kept), with extra ones. */
export function databaseUrl(name: string, extra: Record<string, string> = {}): string {
  const u = new URL(location.href);
  u.searchParams.set('db', name);
  u.searchParams.delete('sample');
  for (const [k, v] of Object.entries(extra)) u.searchParams.set(k, v);
  return u.toString();
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function errorText(e: unknown): string {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '';
  const msg = e instanceof Error ? e.message : String(e);
  const hint = typeof e === 'object' && e !== null && 'hint' in e && (e as { hint: unknown }).hint !== undefined ? ` (${String((e as { hint: unknown }).hint)})` : '';
  return `${/^[0-9A-Z]{5}$/.test(code) ? `${code}: ` : ''}${msg}${hint}`;
}

/** Strips what exportDatabase's download name adds. */
function nameFromFile(fileName: string): string {
  return fileName.replace(/(\.tabgres)?\.tar(\.gz)?$/, '').replace(/[^A-Za-z0-9_.-]/g, '_');
}

export class DatabasePicker {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly message: HTMLElement;
  private readonly nameInput: HTMLInputElement;
  private readonly fileInput: HTMLInputElement;
  readonly persistence: HTMLElement;

  constructor(
    /** The database this page runs. */
    private readonly current: string,
    /** Rule 1: releases the sessions and shuts the current postmaster down. */
    private readonly closeCurrent: () => Promise<void>,
    /** Rule 1: starts it again (the sessions take a backend at their next Run). */
    private readonly reopenCurrent: () => Promise<void>,
  ) {
    this.element = el('section', 'databases');
    this.element.id = 'databases';
    const head = el('div', 'bar');
    head.append(el('strong', undefined, 'databases'));
    this.persistence = el('span', 'persistence', 'storage: …');
    head.append(this.persistence);
    this.list = el('div', 'db-list');

    const actions = el('div', 'bar db-actions');
    this.nameInput = el('input');
    this.nameInput.placeholder = 'new database name';
    this.nameInput.name = 'db-name';
    const create = el('button', 'db-create', 'create');
    create.addEventListener('click', () => void this.act(async () => {
      const name = this.nameInput.value.trim();
      await createDatabase(name);
      location.assign(databaseUrl(name));
    }));
    this.nameInput.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') create.click();
    });
    const importLabel = el('label', 'db-import', 'import… ');
    this.fileInput = el('input');
    this.fileInput.type = 'file';
    this.fileInput.accept = '.gz,.tar,application/gzip,application/x-tar';
    this.fileInput.addEventListener('change', () => void this.importFile());
    importLabel.append(this.fileInput);
    importLabel.title = 'a .tabgres.tar.gz made by export; the name field (or the file name) names the new database';
    actions.append(this.nameInput, create, importLabel);

    const samples = el('div', 'bar db-samples');
    samples.append(el('span', undefined, 'samples:'));
    for (const s of SAMPLES) {
      const b = el('button', 'db-sample', s.name);
      b.dataset.sample = s.name;
      b.title = s.title;
      b.addEventListener('click', () => void this.act(() => this.loadSample(s)));
      samples.append(b);
    }
    this.message = el('p', 'db-message');
    this.element.append(head, this.list, actions, samples, this.message);
  }

  private say(text: string, isError = false): void {
    this.message.textContent = text;
    this.message.classList.toggle('error', isError);
  }

  /** Rule 2. */
  private async act(fn: () => Promise<void>): Promise<void> {
    this.say('');
    try {
      await fn();
    } catch (e) {
      this.say(errorText(e), true);
    }
  }

  /** Reads the registry again and redraws the list. */
  async refresh(): Promise<ListedDatabase[]> {
    const dbs = await listDatabases();
    const table = el('table', 'db-table');
    const head = el('tr');
    for (const h of ['database', 'size', 'created', '', '']) head.append(el('th', undefined, h));
    table.append(el('thead'));
    table.tHead?.append(head);
    const body = el('tbody');
    for (const d of dbs) {
      const tr = el('tr');
      tr.dataset.db = d.name;
      if (d.name === this.current) tr.classList.add('current');
      const name = el('td', 'db-name');
      const link = el('a', undefined, d.name);
      link.href = databaseUrl(d.name);
      name.append(link);
      if (d.name === this.current) name.append(el('span', 'badge', 'this page'));
      else if (d.open) name.append(el('span', 'badge', 'open in another tab'));
      if (d.settings.sample !== undefined) name.append(el('span', 'badge sample', `sample ${d.settings.sample}`));
      tr.append(name, el('td', 'db-size', d.open ? '(open)' : formatBytes(d.sizeBytes)), el('td', 'db-created', d.created.slice(0, 16).replace('T', ' ')));
      const exp = el('button', 'db-export', 'export');
      exp.title = d.name === this.current ? 'closes the database (a clean shutdown), downloads it, reopens it' : 'download it as a .tabgres.tar.gz';
      exp.addEventListener('click', () => void this.act(() => this.exportOne(d.name)));
      const drop = el('button', 'db-delete', 'delete');
      drop.addEventListener('click', () => void this.act(async () => {
        if (!confirm(`Delete database "${d.name}" and all its data?`)) return;
        await deleteDatabase(d.name);
        await this.refresh();
        this.say(`deleted database "${d.name}"`);
      }));
      const tdExp = el('td');
      tdExp.append(exp);
      const tdDrop = el('td');
      tdDrop.append(drop);
      tr.append(tdExp, tdDrop);
      body.append(tr);
    }
    table.append(body);
    this.list.replaceChildren(table);
    return dbs;
  }

  private async exportOne(name: string): Promise<void> {
    const isCurrent = name === this.current;
    if (isCurrent) {
      this.say(`closing "${name}" for the export…`);
      await this.closeCurrent();
    }
    let bytes: Uint8Array;
    this.say(`exporting "${name}"… (a database left running by a closed tab is started and shut down first)`);
    try {
      bytes = await exportDatabase(name);
    } catch (e) {
      if (isCurrent) await this.reopenCurrent();
      throw e;
    }
    const a = el('a');
    a.href = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/gzip' }));
    a.download = `${name}.tabgres.tar.gz`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
    if (isCurrent) await this.reopenCurrent();
    await this.refresh();
    this.say(`exported "${name}" (${formatBytes(bytes.length)})`);
  }

  private async importFile(): Promise<void> {
    const file = this.fileInput.files?.[0];
    if (file === undefined) return;
    await this.act(async () => {
      const name = this.nameInput.value.trim() || nameFromFile(file.name);
      this.say(`importing "${name}"…`);
      const entry = await importDatabase(name, new Uint8Array(await file.arrayBuffer()));
      await this.refresh();
      this.say(`imported database "${entry.name}" (${formatBytes(entry.sizeBytes)})`);
    });
    this.fileInput.value = '';
  }

  /** A new database for the sample, opened with ?sample= (main.ts runs its script). */
  private async loadSample(s: Sample): Promise<void> {
    let name = s.name;
    for (let n = 2; (await getDatabase(name)) !== undefined; n++) name = `${s.name}-${n}`;
    await createDatabase(name, { sample: s.name });
    location.assign(databaseUrl(name, { sample: s.name }));
  }
}
