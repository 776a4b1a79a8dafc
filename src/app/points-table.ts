// The per-point table: one row per test point, sortable by any column, shown a
// page at a time; a row (click, or Enter on the focused row) opens that point.
import type { PointResult } from '../certify/result.js';
import { el } from './dom.js';

interface Column {
  key: string;
  title: string;
  value: (p: PointResult) => number | string;
  /** Numeric sort key (defaults to `value`). */
  sort?: (p: PointResult) => number;
}

const COLUMNS: Column[] = [
  { key: 'index', title: 'index', value: (p) => p.index },
  { key: 'label', title: 'label', value: (p) => p.label ?? '–', sort: (p) => p.label ?? -1 },
  { key: 'prediction', title: 'prediction', value: (p) => p.prediction },
  { key: 'radius', title: 'radius', value: (p) => p.radius },
  { key: 'upper', title: 'upper', value: (p) => p.upper },
  { key: 'exact', title: 'exact', value: (p) => (p.exact ? 'yes' : 'no'), sort: (p) => Number(p.exact) },
  { key: 'dpa', title: 'DPA radius', value: (p) => p.dpaRadius },
  { key: 'votes', title: 'votes', value: (p) => p.votes.join('/'), sort: (p) => Math.max(...p.votes) },
];

const PAGE = 200;

export class PointsTable {
  private points: PointResult[] = [];
  private order: PointResult[] = [];
  private sortKey = 'index';
  private ascending = true;
  private shown = PAGE;
  private selected: number | undefined;

  constructor(
    private readonly table: HTMLTableElement,
    private readonly more: HTMLButtonElement,
    private readonly onSelect: (point: PointResult) => void,
  ) {
    more.addEventListener('click', () => {
      this.shown += PAGE;
      this.renderBody();
    });
  }

  show(points: PointResult[]): void {
    this.points = points;
    this.shown = PAGE;
    this.selected = undefined;
    this.sort(this.sortKey, this.ascending);
  }

  private sort(key: string, ascending: boolean): void {
    this.sortKey = key;
    this.ascending = ascending;
    const column = COLUMNS.find((c) => c.key === key)!;
    const by = column.sort ?? (column.value as (p: PointResult) => number);
    const sign = ascending ? 1 : -1;
    this.order = [...this.points].sort((a, b) => sign * (by(a) - by(b)) || a.index - b.index);
    this.table.replaceChildren(this.head(), el('tbody'));
    this.renderBody();
  }

  private head(): HTMLTableSectionElement {
    const cells = COLUMNS.map((c) => {
      const active = c.key === this.sortKey;
      const arrow = active ? (this.ascending ? ' ▲' : ' ▼') : '';
      return el(
        'th',
        { scope: 'col', 'aria-sort': active ? (this.ascending ? 'ascending' : 'descending') : 'none' },
        el('button', { type: 'button', onclick: () => this.sort(c.key, active ? !this.ascending : true) }, c.title + arrow),
      );
    });
    return el('thead', {}, el('tr', {}, ...cells));
  }

  private renderBody(): void {
    const body = this.table.tBodies[0];
    const rows = this.order.slice(0, this.shown).map((p) => {
      const select = () => this.select(p, row);
      const row = el(
        'tr',
        {
          tabindex: 0,
          'aria-selected': p.index === this.selected ? 'true' : 'false',
          class: p.label !== null && p.label !== p.prediction ? 'wrong' : '',
          onclick: select,
          onkeydown: (event) => {
            const key = (event as KeyboardEvent).key;
            if (key === 'Enter' || key === ' ') {
              event.preventDefault();
              select();
            }
          },
        },
        ...COLUMNS.map((c) => el('td', {}, c.value(p))),
      );
      return row;
    });
    body.replaceChildren(...rows);
    const left = this.order.length - this.shown;
    this.more.hidden = left <= 0;
    this.more.textContent = `Show ${Math.min(PAGE, left)} more (${this.order.length} points)`;
  }

  private select(point: PointResult, row: HTMLTableRowElement): void {
    this.selected = point.index;
    Array.from(this.table.tBodies[0].rows, (other) => other.setAttribute('aria-selected', 'false'));
    row.setAttribute('aria-selected', 'true');
    this.onSelect(point);
  }
}
