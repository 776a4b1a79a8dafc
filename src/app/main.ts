// The flipcert web app: wires the form to the data loaders, runs certify on
// Web Workers with progress and Cancel, and shows the CLI's summary table and
// plot, the per-point table and the point view. Tests rely on the element ids
// on body[data-state] (idle, loading, running, done, error, cancelled) and
// body[data-runs], the number of runs started.
import { translateMessage, type FlagMap } from '../cli/flags.js';
import { FlipcertError } from '../errors.js';
import type { CertifyOptions, Progress } from '../certify/options.js';
import { resultJsonPieces } from '../report/json.js';
import { resultPlotSvg } from '../report/plot.js';
import { formatSummaryTable } from '../report/table.js';
import type { CertifyResult, PointResult } from '../certify/result.js';
import { CSV_SLOTS, NPY_SLOTS, describe, fromFiles, loadSample, readSlot, sourceOf, type DataSet, type Loaded, type Slot, type Source } from './data.js';
import { byId } from './dom.js';
import { imageSide, renderPoint, valueRange, type PointContext } from './point-view.js';
import { PointsTable } from './points-table.js';
import { certifyInPage, defaultThreads } from './run.js';

/** The representation the MNIST sample starts with. */
export const BEST_REPRESENTATION = 'scattering+log+pca+spectral';

const files = new Map<Slot, Loaded>();
let sample: Promise<DataSet> | undefined;
let running: AbortController | undefined;
const downloads: string[] = [];

const dataset = byId<HTMLSelectElement>('dataset');
const runButton = byId<HTMLButtonElement>('run');
const cancelButton = byId<HTMLButtonElement>('cancel');
const progressBar = byId<HTMLProgressElement>('progress');
const progressText = byId('progress-text');
const errorLine = byId('error');
const pointView = byId('point-view');
let pointContext: PointContext | undefined;
const table = new PointsTable(byId<HTMLTableElement>('points'), byId<HTMLButtonElement>('more-points'), (p) => showPoint(p));

function setState(state: 'idle' | 'loading' | 'running' | 'done' | 'error' | 'cancelled'): void {
  document.body.dataset.state = state;
}

/** The error line: the CLI's one-line message for a FlipcertError, else the bug as it is. */
/**
 * API fields as the page names them, the way the CLI names its flags
 * (options.kernel.depth → depth, options.train.x → Train X a.npy).
 */
const FIELDS: FlagMap = {
  model: 'model',
  reg: 'reg',
  svmC: 'svmC',
  kernel: 'depth/wVar/bVar',
  'kernel.depth': 'depth',
  'kernel.wVar': 'wVar',
  'kernel.bVar': 'bVar',
  partitions: 'partitions',
  partitioning: 'partitioning',
  threads: 'threads',
  augment: 'augment',
  represent: 'representation',
  imageShape: 'Image side',
};

function showError(error: unknown, data?: DataSet): void {
  const message =
    error instanceof FlipcertError
      ? `flipcert: error: ${translateMessage(error, { ...FIELDS, ...data?.fields })}`
      : `flipcert: internal error: ${String(error)}`;
  errorLine.textContent = message;
  if (!(error instanceof FlipcertError)) console.error(error);
}

function clearError(): void {
  errorLine.textContent = '';
}

// ---- data ----------------------------------------------------------------

let shownSource: Source | undefined;

function showSource(source: Source): void {
  dataset.value = source;
  document.querySelectorAll<HTMLElement>('.files').forEach((group) => (group.hidden = group.dataset.source !== source));
  if (source !== shownSource) {
    // The sample is images: it starts from the best representation (docs/spec.md §13); files start from their values.
    byId<HTMLSelectElement>('represent').value = source === 'mnist17-sample' ? BEST_REPRESENTATION : 'none';
    shownSource = source;
  }
  if (source === 'mnist17-sample') void startSampleLoad();
}

function startSampleLoad(): Promise<DataSet> {
  if (!sample) {
    const status = byId('sample-status');
    status.dataset.loading = '';
    sample = loadSample().finally(() => delete status.dataset.loading);
    sample.catch((error: unknown) => {
      sample = undefined;
      showError(error);
    });
  }
  return sample;
}

/** Parses a file for its slot; a bad file leaves the slot's previous data in place. */
async function loadFile(slot: Slot, file: File, input: HTMLInputElement): Promise<void> {
  showSource(sourceOf(slot));
  const status = document.querySelector<HTMLOutputElement>(`output[data-for="${slot}"]`)!;
  try {
    const loaded = await readSlot(slot, file);
    files.set(slot, loaded);
    if (slot === 'test-y') byId('clear-test-y').hidden = false;
    status.textContent = describe(loaded);
    status.classList.remove('bad');
    clearError();
  } catch (error) {
    showError(error);
    // Keep the previous file, and say that it is still the one in use.
    input.value = '';
    const kept = files.get(slot);
    status.textContent = kept ? `${describe(kept)} (kept; ${file.name} was rejected)` : `${file.name} was rejected`;
    status.classList.toggle('bad', !kept);
  }
}

function wireFiles(): void {
  for (const slot of [...NPY_SLOTS, ...CSV_SLOTS]) {
    const input = byId<HTMLInputElement>(slot);
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      if (file) void loadFile(slot, file, input);
    });
    const zone = document.querySelector<HTMLElement>(`.drop[data-slot="${slot}"]`)!;
    zone.addEventListener('dragover', (event) => {
      event.preventDefault();
      zone.classList.add('over');
    });
    zone.addEventListener('dragleave', () => zone.classList.remove('over'));
    zone.addEventListener('drop', (event) => {
      event.preventDefault();
      zone.classList.remove('over');
      const file = event.dataTransfer?.files[0];
      if (file) void loadFile(slot, file, input);
    });
  }
  dataset.addEventListener('change', () => showSource(dataset.value as Source));
  // Test labels are optional: without them the run reports certificates but no accuracy.
  const clearTestY = byId<HTMLButtonElement>('clear-test-y');
  clearTestY.addEventListener('click', () => {
    files.delete('test-y');
    byId<HTMLInputElement>('test-y').value = '';
    document.querySelector<HTMLOutputElement>('output[data-for="test-y"]')!.textContent = '';
    clearTestY.hidden = true;
  });
}

async function currentData(): Promise<DataSet> {
  const source = dataset.value as Source;
  return source === 'mnist17-sample' ? startSampleLoad() : fromFiles(source, files);
}

// ---- options ---------------------------------------------------------------

/** A number field's value; an empty or malformed field is an error naming it. */
function numberField(id: string, name: string): number {
  const input = byId<HTMLInputElement>(id);
  const value = input.value.trim() === '' ? NaN : Number(input.value);
  if (!Number.isFinite(value)) throw new FlipcertError(`${name} must be a number, got "${input.value}"`, 'EOPTION');
  return value;
}

function options(data: DataSet, signal: AbortSignal, onProgress: (p: Progress) => void): CertifyOptions {
  const partitions = numberField('partitions', 'partitions');
  return {
    train: data.train,
    test: data.test,
    model: byId<HTMLSelectElement>('model').value as 'krr' | 'svm',
    reg: numberField('reg', 'reg'),
    kernel: { depth: numberField('depth', 'depth'), wVar: numberField('w-var', 'wVar'), bVar: numberField('b-var', 'bVar') },
    partitions,
    partitioning: byId<HTMLSelectElement>('partitioning').value as 'hash' | 'sorted',
    threads: numberField('threads', 'threads'),
    // Certificates come with their witnesses (an ensemble's grouped by partition): the point view shows them.
    witness: true,
    ...imageOptions(data.train.x.cols),
    onProgress,
    signal,
  };
}

/** `augment`, `represent`, and the image shape from the image side (square images; channels = features / side²). */
function imageOptions(cols: number): Pick<CertifyOptions, 'augment' | 'represent' | 'imageShape'> {
  const augment = byId<HTMLInputElement>('augment').value.trim();
  const represent = byId<HTMLSelectElement>('represent').value;
  const chosen = { ...(augment === '' ? {} : { augment }), ...(represent === 'none' ? {} : { represent }) };
  const side = byId<HTMLInputElement>('image-side').value.trim();
  const readsImages = augment !== '' || represent.startsWith('scattering');
  if (side === '' || !readsImages) return chosen; // the library's default: 28×28×1 for 784 features
  const s = Number(side);
  return { ...chosen, imageShape: [s, s, cols / (s * s)] };
}

// ---- running -----------------------------------------------------------------

/** What the run is doing, for the line under the bar; the elapsed time is added every half second. */
let doing = '';

function showProgress(p: Progress): void {
  if (p.represent) {
    progressBar.value = p.represent.total > 0 ? p.represent.done / p.represent.total : 0;
    doing = `representation: ${p.represent.step} ${p.represent.done} of ${p.represent.total}`;
    return;
  }
  const single = p.partitions === 1;
  if (single && p.blocks <= 1) {
    // One task with no finer steps to report: an indeterminate bar, not a frozen one.
    progressBar.removeAttribute('value');
    doing = p.blocks === 1 && p.blocksDone === 1 ? 'finishing' : 'training the model and certifying';
    return;
  }
  progressBar.value = single ? p.blocksDone / p.blocks : p.partitionsDone / p.partitions;
  doing = single ? `test block ${p.blocksDone} of ${p.blocks}` : `partition ${p.partitionsDone} of ${p.partitions}`;
}

/** Updates the status line while a run lasts; returns the function that stops it. */
function tickElapsed(started: number): () => void {
  const tick = () => (progressText.textContent = `${doing} · ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const timer = setInterval(tick, 500);
  return () => clearInterval(timer);
}

async function run(): Promise<void> {
  if (running) return;
  document.body.dataset.runs = String(Number(document.body.dataset.runs ?? 0) + 1);
  clearError();
  const controller = new AbortController();
  running = controller;
  runButton.disabled = true;
  cancelButton.disabled = false;
  progressBar.value = 0;
  const started = performance.now();
  let data: DataSet | undefined;
  try {
    setState('loading');
    progressText.textContent = 'Loading data…';
    data = await currentData();
    const opts = options(data, controller.signal, showProgress);
    setState('running');
    doing = 'starting workers';
    const stopTicking = tickElapsed(started);
    let result;
    try {
      result = await certifyInPage(opts);
    } finally {
      stopTicking();
    }
    showResult(result, data);
    progressBar.value = 1;
    progressText.textContent = `Done in ${result.summary.seconds.toFixed(1)} s.`;
    setState('done');
  } catch (error) {
    const cancelled = error instanceof FlipcertError && error.code === 'EABORTED';
    progressBar.value = progressBar.position < 0 ? 0 : progressBar.value;
    if (cancelled) progressText.textContent = 'Cancelled.';
    else {
      showError(error, data);
      progressText.textContent = 'Stopped by an error.';
    }
    setState(cancelled ? 'cancelled' : 'error');
  } finally {
    running = undefined;
    runButton.disabled = false;
    cancelButton.disabled = true;
  }
}

// ---- results -----------------------------------------------------------------

function showResult(result: CertifyResult, data: DataSet): void {
  byId('intro').hidden = true;
  byId('results').hidden = false;
  byId('summary').textContent = formatSummaryTable(result);
  const svg = resultPlotSvg(result);
  const plot = byId('plot');
  plot.innerHTML = svg ?? '<p class="hint">No plot: the test points have no labels.</p>';
  setDownload(byId<HTMLAnchorElement>('download-json'), [...resultJsonPieces(result, data.source)], 'application/json');
  const svgLink = byId<HTMLAnchorElement>('download-svg');
  svgLink.hidden = svg === undefined;
  if (svg !== undefined) setDownload(svgLink, svg, 'image/svg+xml');
  pointContext = {
    train: data.train,
    test: data.test,
    side: chosenSide(data.train.x.cols),
    range: valueRange(data.train.x),
    classes: result.config.classes,
    partitions: result.config.partitions,
  };
  table.show(result.points);
  shownPoint = undefined;
  pointView.innerHTML = '<p class="hint">Select a test point in the table to look at it.</p>';
}

let shownPoint: PointResult | undefined;

function showPoint(point: PointResult): void {
  shownPoint = point;
  if (pointContext) renderPoint(pointView, point, pointContext);
}

function chosenSide(cols: number): number | undefined {
  const text = byId<HTMLInputElement>('image-side').value.trim();
  return imageSide(cols, text === '' ? undefined : Number(text));
}

/** A new image side redraws the open point. */
byId('image-side').addEventListener('change', () => {
  if (!pointContext) return;
  pointContext.side = chosenSide(pointContext.train.x.cols);
  if (shownPoint) renderPoint(pointView, shownPoint, pointContext);
});

function setDownload(link: HTMLAnchorElement, text: string | string[], type: string): void {
  const url = URL.createObjectURL(new Blob(typeof text === 'string' ? [text] : text, { type }));
  downloads.push(url);
  // Keep the two current links alive, revoke older ones.
  while (downloads.length > 2) URL.revokeObjectURL(downloads.shift()!);
  link.href = url;
}

// ---- start -------------------------------------------------------------------

byId<HTMLInputElement>('threads').value = String(defaultThreads());
wireFiles();
showSource(dataset.value as Source);
byId<HTMLFormElement>('setup').addEventListener('submit', (event) => {
  event.preventDefault();
  void run();
});
cancelButton.addEventListener('click', () => running?.abort());
setState('idle');
