import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { scrape } from '../api/healed-mend.ts';
import { type Exposition, parseExposition } from '../helpers/exposition.ts';
import { metricNames, withoutGrafanaVariables } from '../helpers/promql-names.ts';
import { promtool } from '../helpers/promtool.ts';
import { type RunningMend, startRunningMend } from '../helpers/running-mend.ts';

const DEPLOY = fileURLToPath(new URL('../../deploy/', import.meta.url));

/** The dashboard's data source variable, as Grafana writes a reference to it. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's syntax, not a template literal
const DATASOURCE = '${datasource}';

/** Names every Prometheus has without mend exporting them. */
const STANDARD = new Set(['up']);

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: { expr: string; refId: string }[];
}

const dashboard = async () =>
  JSON.parse(await readFile(join(DEPLOY, 'grafana/mend.json'), 'utf8')) as {
    uid: string;
    title: string;
    panels: Panel[];
    templating: { list: { name: string; definition?: string }[] };
  };

const dashboardExprs = async () =>
  (await dashboard()).panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ where: `panel "${panel.title}"`, expr: target.expr })),
  );

const ruleExprs = async () => {
  const file = parse(await readFile(join(DEPLOY, 'prometheus/mend-rules.yaml'), 'utf8')) as {
    groups: { rules: { alert: string; expr: string }[] }[];
  };
  return file.groups
    .flatMap((group) => group.rules)
    .map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr }));
};

let scraped: Exposition;
let mend: RunningMend | undefined;
before(async () => {
  mend = await startRunningMend();
  scraped = parseExposition(await scrape(mend));
});
after(async () => {
  await mend?.stop();
});

test('the dashboard is Grafana JSON: a uid, a title, panels with ids, places and queries on the data source variable', async () => {
  const board = await dashboard();
  assert.equal(board.uid, 'mend');
  assert.equal(board.title, 'mend');
  const ids = board.panels.map((panel) => panel.id);
  assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
  const queried = board.panels.filter((panel) => panel.type !== 'row');
  assert.ok(queried.length >= 20, `${queried.length} panels`);
  for (const panel of queried) {
    assert.ok(panel.gridPos.w > 0 && panel.gridPos.x + panel.gridPos.w <= 24, panel.title);
    assert.deepEqual(panel.datasource, { type: 'prometheus', uid: DATASOURCE }, panel.title);
    assert.ok((panel.targets ?? []).length > 0, `${panel.title}: a query`);
  }
  assert.deepEqual(
    board.templating.list.map((variable) => variable.name),
    ['datasource', 'job', 'instance'],
  );
});

test('every query of the dashboard is PromQL that promtool parses', async () => {
  const exprs = await dashboardExprs();
  const dir = await mkdtemp(join(tmpdir(), 'mend-dashboard-'));
  try {
    // promtool parses expressions in rule files: each query as a recording rule.
    const rules = {
      groups: [
        {
          name: 'dashboard',
          rules: exprs.map(({ expr }, i) => ({
            record: `dashboard:query_${i}`,
            expr: withoutGrafanaVariables(expr),
          })),
        },
      ],
    };
    await writeFile(join(dir, 'dashboard.yaml'), stringify(rules));
    const checked = await promtool(['check', 'rules', join(dir, 'dashboard.yaml')]);
    assert.equal(checked.code, 0, checked.stdout + checked.stderr);
    assert.match(checked.stdout, new RegExp(`SUCCESS: ${exprs.length} rules found`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("the dashboard's and the alerting rules' queries use only metric names a real mend scrape has; the dashboard shows each of mend's own", async () => {
  const variables = (await dashboard()).templating.list.flatMap((variable) =>
    variable.definition ? [{ where: `variable ${variable.name}`, expr: variable.definition }] : [],
  );
  const queries = [...(await dashboardExprs()), ...variables, ...(await ruleExprs())];
  const unknown: string[] = [];
  const used = new Set<string>();
  for (const { where, expr } of queries) {
    // A variable's label_values(SELECTOR, LABEL): the selector is PromQL, the label is not.
    const names = metricNames(expr.replace(/^label_values\((.*),\s*\w+\)$/, '$1'));
    assert.ok(names.size > 0, `${where}: no metric name found in ${expr}`);
    for (const name of names) {
      used.add(name);
      if (!scraped.names.has(name) && !STANDARD.has(name)) unknown.push(`${where}: ${name}`);
    }
  }
  assert.deepEqual(unknown, []);
  // And the dashboard shows every metric mend exports about itself.
  const shown = (family: string) =>
    ['', '_bucket', '_sum', '_count'].some((suffix) => used.has(family + suffix));
  const families = [...scraped.types.keys()].filter((name) => name.startsWith('mend_'));
  assert.deepEqual(
    families.filter((family) => !shown(family)),
    [],
  );
});

test('metricNames finds the names, not the functions, labels, strings, durations or keywords', () => {
  assert.deepEqual(
    [
      ...metricNames(
        'histogram_quantile(0.99, sum by (job, le) (rate(mend_probe_lateness_seconds_bucket{job="mend", route!="a_b"}[$__rate_interval]))) > 1',
      ),
    ],
    ['mend_probe_lateness_seconds_bucket'],
  );
  assert.deepEqual(
    [
      ...metricNames(
        'sum(rate(a_total[5m] offset 1h)) / on (instance) group_left (version) b_info and bool c',
      ),
    ],
    ['a_total', 'b_info', 'c'],
  );
  assert.deepEqual([...metricNames('absent(up{job="mend"}) or vector(1e3)')], ['up']);
});
