// Zone selection (การคัดเลือกพื้นที่) on the station panel: the chosen station's candidate
// areas ranked on Risk, Landmark and Economic, every step of each score in the table (count,
// per km², scaled against the other candidates, points = weight x scaled), the weights and
// risk window, the Big 6 decisions with their history, and (measure.manage) dialogs to set
// the weights and record a decision. Read when the station changes or after an edit, not on
// the panel's 15-second timer (the ranking runs Gi* over the station's records).
// Data is text (ui.js el()); dates in B.E. in Thai. See docs/measure/zone-selection.md.
import { formatDate, formatDateTime, onLangChange, pick, t } from './i18n.js';
import { newKey, refusal } from './once.js';
import { api } from './session.js';
import { can, store } from './store.js';
import { el, toast } from './ui.js';

const enc = encodeURIComponent;
const CRITERIA = ['risk', 'landmark', 'economic'];
let last = null; // { code, ranking, decisions } drawn last, redrawn at once in a new language
let loadingFor = null;



const pct = (v) => `${Math.round(v * 100)}%`;
const fixed = (v, digits = 2) => Number(v).toFixed(digits);
const bangkokDay = (iso) => formatDate(iso);
// The last day of a [since, until) window: the instant just before ``until``.
const lastDay = (iso) => formatDate(new Date(new Date(iso).getTime() - 1));

// One criterion's places as lines for the cell's tooltip: kind, count, where it came from.
function placesTip(score) {
  return score.items.map((p) => {
    const origin = p.origin === 'entered' ? t('zs.entered', { source: p.source }) : t('zs.registered');
    const unused = p.used ? '' : ` (${t('zs.replaced')})`;
    return `${p.kind}: ${p.count} · ${origin}${unused}`;
  }).join('\n');
}

function riskTip(risk) {
  const groups = Object.entries(risk.by_group).map(([g, n]) => `${g}: ${n}`).join(', ');
  return [t('zs.tip_records', { n: risk.count, scaled: fixed(risk.records_normalized) }),
    t('zs.tip_hot', { share: pct(risk.hot_share), scaled: fixed(risk.hot_normalized), mix: pct(risk.hotspot_share) }),
    groups].filter(Boolean).join('\n');
}

function cells(name, score, extra = null) {
  const title = name === 'risk' ? riskTip(score) : placesTip(score);
  return [
    el('td', { title, 'data-criterion': name }, String(score.count)),
    el('td', {}, fixed(score.per_km2)),
    extra,
    el('td', {}, fixed(score.normalized)),
    el('td', { class: 'zs-points' }, fixed(score.contribution, 3)),
  ].filter(Boolean);
}

function table(ranking) {
  const w = ranking.weights.normalized;
  const head1 = el('tr', {}, el('th', { rowSpan: 2 }, '#'), el('th', { rowSpan: 2 }, t('zs.candidate')),
    el('th', { rowSpan: 2 }, t('zs.area')),
    ...CRITERIA.map((c) => el('th', { colSpan: c === 'risk' ? 5 : 4, class: 'zs-group' },
      `${t(`zs.c.${c}`)} × ${pct(w[c])}`)),
    el('th', { rowSpan: 2 }, t('zs.score')));
  const sub = (c) => [el('th', {}, t(c === 'risk' ? 'zs.records_h' : 'zs.count_h')), el('th', {}, t('zs.per_km2')),
    c === 'risk' ? el('th', {}, t('zs.hot_h')) : null, el('th', {}, t('zs.scaled')), el('th', {}, t('zs.points'))].filter(Boolean);
  const head2 = el('tr', {}, ...CRITERIA.flatMap(sub));
  const rows = ranking.candidates.map((c) => el('tr', { 'data-candidate': c.candidate_id },
    el('td', {}, String(c.rank)),
    el('th', { title: c.unclassified.length ? t('zs.unclassified', { kinds: c.unclassified.map((p) => `${p.kind}: ${p.count}`).join(', ') }) : null },
      pick(c, 'name') || c.name_th),
    el('td', {}, fixed(c.area_km2)),
    ...cells('risk', c.risk, el('td', {}, pct(c.risk.hot_share))),
    ...cells('landmark', c.landmark),
    ...cells('economic', c.economic),
    el('td', { class: 'zs-score' }, fixed(c.score, 3))));
  return el('div', { class: 'zs-scroll' }, el('table', { class: 'grid zs-table', id: 'zs-table' },
    el('thead', {}, head1, head2), el('tbody', {}, rows)));
}

function member(m) {
  return [m.name, m.role, m.agency].filter(Boolean).join(', ');
}

function decisionItem(d) {
  const state = d.in_force ? el('span', { class: 'badge ok' }, t('zs.in_force'))
    : el('span', { class: 'badge' }, t('zs.superseded_by', { n: d.superseded_by_number }));
  const chosen = d.choices.map((c) => (c.zone_code ? `${pick(c, 'name') || c.name_th} (${c.zone_code})` : pick(c, 'name') || c.name_th));
  return el('li', { class: `zs-decision${d.in_force ? ' in-force' : ''}`, 'data-number': String(d.number) },
    el('div', { class: 'zs-head' }, el('b', {}, t('zs.decision_no', { n: d.number })), ' ', state),
    el('div', {}, t('zs.meeting', { date: bangkokDay(d.meeting_on) }),
      d.launch_on ? ` · ${t('zs.launch', { date: bangkokDay(d.launch_on) })}` : ''),
    el('div', {}, t('zs.chosen', { names: chosen.join(', ') })),
    el('div', { class: 'zs-rationale' }, d.rationale),
    el('div', { class: 'muted' }, t('zs.members', { n: d.members.length }), ' ', d.members.map(member).join(' · ')),
    el('div', { class: 'muted' }, t('zs.recorded', { by: d.recorded_by, at: formatDateTime(d.recorded_at) })));
}

function render() {
  const root = document.getElementById('zonesel-card');
  if (!root) return;
  if (!last) { root.replaceChildren(); root.hidden = true; return; }
  root.hidden = false;
  const { ranking, decisions } = last;
  const w = ranking.weights;
  const group = decisions.find((d) => d.big6_group_name)?.big6_group_name;
  const tools = can('measure.manage') ? el('div', { class: 'row' },
    el('button', { type: 'button', class: 'btn', id: 'zs-weights-open' }, t('zs.edit_weights')),
    ranking.candidates.length ? el('button', { type: 'button', class: 'btn primary', id: 'zs-decide-open' }, t('zs.record')) : null) : null;
  root.replaceChildren(
    el('div', { class: 'zs-title' }, el('h3', {}, t('zs.title')), tools),
    el('p', { class: 'muted', id: 'zs-weights' },
      t('zs.weights', { risk: pct(w.normalized.risk), landmark: pct(w.normalized.landmark), economic: pct(w.normalized.economic), hot: pct(w.hotspot_share) }),
      w.is_default ? ` (${t('zs.default')})` : '', ' · ',
      t('zs.window', { from: bangkokDay(ranking.since), to: lastDay(ranking.until) }), ' · ',
      t('zs.counted', { n: ranking.records, placed: ranking.placed, hot: ranking.hotspots.hot_cells })),
    ranking.notes.length ? el('ul', { class: 'plain zs-notes' }, ranking.notes.map((n) => el('li', { class: 'warn' }, t(`zs.note.${n}`)))) : null,
    ranking.candidates.length ? table(ranking) : el('p', { class: 'muted' }, t('zs.none')),
    el('h4', {}, group ? t('zs.decisions_of', { group }) : t('zs.decisions')),
    decisions.length ? el('ul', { class: 'plain zs-decisions' }, decisions.map(decisionItem))
      : el('p', { class: 'muted', id: 'zs-no-decision' }, t('zs.no_decision')));
}

export async function refreshZoneSelection(code, { force = false } = {}) {
  if (!code || !can('ops.read')) { last = null; render(); return; }
  if (!force && (last?.code === code || loadingFor === code)) return;
  loadingFor = code;
  try {
    const [ranking, decisions] = await Promise.all([
      api(`/api/v1/stations/${enc(code)}/zone-candidates/ranking`),
      api(`/api/v1/stations/${enc(code)}/zone-decisions`),
    ]);
    if (store.station !== code) return; // the station changed while this was read
    last = { code, ranking, decisions };
    render();
  } finally {
    loadingFor = null;
  }
}

function field(id, labelKey, control) {
  return el('div', { class: 'field' }, el('label', { for: id }, t(labelKey)), control);
}

function dialogShell(id, titleKey, body, onSubmit) {
  const error = el('p', { class: 'error', role: 'alert', id: `${id}-error` });
  const submit = el('button', { type: 'submit', class: 'btn primary', id: `${id}-submit` }, t('zs.save'));
  const cancel = el('button', { type: 'button', class: 'btn' }, t('svc.cancel'));
  const form = el('form', { method: 'dialog' }, el('h2', {}, t(titleKey)), ...body, error,
    el('div', { class: 'row svc-confirm-actions' }, cancel, submit));
  const dialog = el('dialog', { class: 'svc-confirm zs-dialog', id, 'aria-label': t(titleKey) }, form);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    submit.disabled = true;
    try {
      if (await onSubmit(error) !== false) dialog.close();
    } catch (err) {
      error.textContent = refusal(err);
    } finally {
      submit.disabled = false;
    }
  });
  cancel.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

function weightsDialog() {
  const w = last.ranking.weights;
  const number = (id, value) => el('input', { id, type: 'number', min: 0, max: 1, step: 0.05, value: String(value), required: true });
  const inputs = {
    risk: number('zs-w-risk', w.risk), landmark: number('zs-w-landmark', w.landmark),
    economic: number('zs-w-economic', w.economic), hotspot_share: number('zs-w-hot', w.hotspot_share),
  };
  const from = el('input', { id: 'zs-w-from', type: 'date', value: w.risk_from || '' });
  const to = el('input', { id: 'zs-w-to', type: 'date', value: w.risk_to || '' });
  const code = last.code;
  dialogShell('zs-weights-dialog', 'zs.edit_weights', [
    el('p', { class: 'muted' }, t('zs.weights_help')),
    el('div', { class: 'row' }, field('zs-w-risk', 'zs.c.risk', inputs.risk),
      field('zs-w-landmark', 'zs.c.landmark', inputs.landmark), field('zs-w-economic', 'zs.c.economic', inputs.economic)),
    field('zs-w-hot', 'zs.hot_share', inputs.hotspot_share),
    el('div', { class: 'row' }, field('zs-w-from', 'zs.window_from', from), field('zs-w-to', 'zs.window_to', to)),
  ], async () => {
    const body = Object.fromEntries(Object.entries(inputs).map(([k, input]) => [k, Number(input.value)]));
    body.risk_from = from.value || null;
    body.risk_to = to.value || null;
    await api(`/api/v1/stations/${enc(code)}/zone-weights`, { method: 'PUT', json: body });
    toast(t('zs.weights_saved'), 'ok', 'zs-weights-saved');
    await refreshZoneSelection(code, { force: true });
  });
}

function lines(text) { return text.split('\n').map((s) => s.trim()).filter(Boolean); }

function decisionDialog() {
  const { code, ranking, decisions } = last;
  const current = decisions.find((d) => d.in_force);
  const station = store.stations.find((s) => s.code === code);
  const zones = store.zones.filter((z) => z.station_id === station?.id);
  const meeting = el('input', { id: 'zs-d-meeting', type: 'date', required: true });
  const launch = el('input', { id: 'zs-d-launch', type: 'date' });
  const members = el('textarea', { id: 'zs-d-members', rows: 4, maxlength: 6000, required: true, placeholder: t('zs.members_placeholder') });
  const rationale = el('textarea', { id: 'zs-d-rationale', rows: 3, maxlength: 5000, required: true });
  const reasons = Object.fromEntries(CRITERIA.map((c) => [c, el('textarea', { id: `zs-d-reason-${c}`, rows: 2, maxlength: 5000 })]));
  const picks = ranking.candidates.map((c) => {
    const box = el('input', { type: 'checkbox', 'data-candidate': c.candidate_id });
    const zone = el('select', { 'data-zone-for': c.candidate_id, 'aria-label': t('zs.zone_for') },
      el('option', { value: '' }, t('zs.zone_none')),
      zones.map((z) => el('option', { value: z.code }, `${z.code} · ${pick(z, 'name')}`)),
      el('option', { value: '__new__' }, t('zs.zone_new')));
    const newCode = el('input', { 'data-new-zone-for': c.candidate_id, maxlength: 64, placeholder: t('zs.zone_code'), hidden: true, 'aria-label': t('zs.zone_code') });
    zone.addEventListener('change', () => { newCode.hidden = zone.value !== '__new__'; });
    return { c, box, zone, newCode };
  });
  const key = newKey('zs');
  dialogShell('zs-decision-dialog', 'zs.record', [
    current ? el('p', { class: 'warn' }, t('zs.supersedes', { n: current.number })) : null,
    el('div', { class: 'row' }, field('zs-d-meeting', 'zs.meeting_on', meeting), field('zs-d-launch', 'zs.launch_on', launch)),
    field('zs-d-members', 'zs.members_label', members),
    el('fieldset', { class: 'zs-picks' }, el('legend', {}, t('zs.choose')),
      picks.map(({ c, box, zone, newCode }) => el('div', { class: 'zs-pick' },
        el('label', { class: 'check' }, box, ` ${c.rank}. ${pick(c, 'name') || c.name_th} (${fixed(c.score, 3)})`),
        zone, newCode))),
    field('zs-d-rationale', 'zs.rationale', rationale),
    ...CRITERIA.map((c) => field(`zs-d-reason-${c}`, `zs.reasons.${c}`, reasons[c])),
  ], async (error) => {
    const chosen = picks.filter((p) => p.box.checked);
    if (!chosen.length) { error.textContent = t('zs.need_choice'); return false; }
    const people = lines(members.value).map((line) => {
      const [name, role = '', agency = ''] = line.split('|').map((s) => s.trim());
      return { name, role, agency };
    });
    const body = {
      meeting_on: meeting.value, members: people, rationale: rationale.value.trim(),
      launch_on: launch.value || null, supersedes_id: current ? current.id : null,
      reasons: Object.fromEntries(CRITERIA.map((c) => [c, lines(reasons[c].value)])),
      choices: chosen.map(({ c, zone, newCode }) => ({
        candidate_id: c.candidate_id,
        ...(zone.value === '__new__' ? { new_zone_code: newCode.value.trim() } : zone.value ? { zone_code: zone.value } : {}),
      })),
    };
    await api(`/api/v1/stations/${enc(code)}/zone-decisions`, { method: 'POST', json: body, headers: { 'Idempotency-Key': key } });
    toast(t('zs.recorded_ok'), 'ok', 'zs-recorded');
    await refreshZoneSelection(code, { force: true });
  });
  meeting.focus();
}

export function bindZoneSelection() {
  document.getElementById('zonesel-card').addEventListener('click', (event) => {
    if (!last) return;
    if (event.target.closest('#zs-weights-open')) weightsDialog();
    else if (event.target.closest('#zs-decide-open')) decisionDialog();
  });
  onLangChange(() => { if (last) render(); });
}
