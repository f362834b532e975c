import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { TRPCError } from '@trpc/server';
import { appRouter, createCallerFactory } from '@perflens/api';
import { reportInputSchema, type ReportInput } from '@perflens/api/routers/report';
import { loadConfig } from '../config.ts';
import { OPERATOR_HEADER } from '../local-operator.ts';
import { readServerInfo, type ServerInfo } from '../server-info.ts';
import { langOf, runLocally } from './backup.ts';

interface ReportOptions {
  from?: string;
  to?: string;
  org?: string;
  role?: string;
  policy: string[];
  outcome?: string;
  scenario: string[];
  calibration?: string;
  lang?: string;
  out?: string;
}

type Created = { fileName: string; base64: string };

/** The running server holds the file: the report is made there, asked as the local operator. */
async function createThroughServer(server: ServerInfo, input: ReportInput): Promise<Created> {
  if (!server.token) throw new Error(`The server at ${server.url} is too old to take this command: restart it. / ${server.url} 上的服务器版本过旧，不支持此命令：请重启服务器。`);
  const res = await fetch(`${server.url}/trpc/report.create`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [OPERATOR_HEADER]: server.token, 'accept-language': input.lang === 'en' ? 'en' : 'zh-CN' },
    body: JSON.stringify(input),
  }).catch((err: unknown) => {
    throw new Error(`Cannot reach the server at ${server.url}. / 无法连接服务器 ${server.url}。`, { cause: err });
  });
  const body = (await res.json().catch(() => ({}))) as { result?: { data: Created }; error?: { message: string } };
  if (!res.ok || !body.result) throw new Error(body.error?.message ?? `The server answered HTTP ${res.status}. / 服务器返回 HTTP ${res.status}。`);
  return body.result.data;
}

/** The input's keys as the command's options name them. */
const OPTION: Record<string, string> = { from: 'from', to: 'to', orgUnitId: 'org', role: 'role', policyIds: 'policy', outcome: 'outcome', scenarioIds: 'scenario', calibrationId: 'calibration', lang: 'lang' };

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * `perflens report`: the executive report as a PDF, for scheduled runs. Made by the running
 * server when there is one (it holds the database file), else in this process.
 */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write the PDF report (headline, grade distribution, calibration, policy effects, scenarios, data note)')
    .option('--from <period>', 'first period, e.g. 2025-01')
    .option('--to <period>', 'last period, e.g. 2025-12')
    .option('--org <id>', 'an org unit and its subtree (default: the whole company)')
    .option('--role <code>', 'one role')
    .option('--policy <id>', 'a policy whose effect to report (repeatable)', collect, [])
    .option('--outcome <id>', 'the outcome the policies are judged on (default: score)')
    .option('--scenario <id>', 'a saved scenario to report (repeatable, at most 3)', collect, [])
    .option('--calibration <id>', 'a calibration session whose outcome to report')
    .option('--lang <lang>', 'zh or en (default: from LANG)')
    .option('--out <file>', 'where to write the PDF (default: the name the server gives it)')
    .action(async (opts: ReportOptions) => {
      const lang = opts.lang === 'en' || opts.lang === 'zh' ? opts.lang : langOf(process.env);
      const raw = {
        lang,
        filters: {
          ...(opts.from ? { from: opts.from } : {}),
          ...(opts.to ? { to: opts.to } : {}),
          ...(opts.org ? { orgUnitId: opts.org } : {}),
          ...(opts.role ? { role: opts.role } : {}),
        },
        policyIds: opts.policy,
        ...(opts.outcome ? { outcome: opts.outcome } : {}),
        scenarioIds: opts.scenario,
        ...(opts.calibration ? { calibrationId: opts.calibration } : {}),
      };
      if (opts.lang !== undefined && opts.lang !== 'zh' && opts.lang !== 'en') throw new Error(`--lang: zh or en, not "${opts.lang}" / --lang 只能是 zh 或 en`);
      // Checked here too, so a typo fails before anything is asked of the server, naming the option.
      const parsed = reportInputSchema.safeParse(raw);
      if (!parsed.success)
        throw new Error(
          parsed.error.issues
            .map((i) => {
              const key = String(i.path[0] === 'filters' ? i.path[1] : i.path[0]);
              return `--${OPTION[key] ?? key}: ${i.message}`;
            })
            .join('\n  '),
        );
      const input = parsed.data;
      const cfg = loadConfig();
      const server = readServerInfo(cfg.PERFLENS_DB);
      let created: Created;
      try {
        created = server
          ? await createThroughServer(server, input)
          : await runLocally(cfg, (wh) => createCallerFactory(appRouter)({ wh, lang }).report.create(input));
      } catch (err) {
        // tRPC's errors carry the bilingual message the API wrote; nothing else is shown.
        if (err instanceof TRPCError) throw new Error(err.message);
        throw err;
      }
      const out = resolve(opts.out ?? created.fileName);
      const pdf = Buffer.from(created.base64, 'base64');
      await writeFile(out, pdf);
      process.stdout.write(lang === 'zh' ? `报告已写入 ${out}（${Math.round(pdf.length / 1024)} KB）\n` : `Report written to ${out} (${Math.round(pdf.length / 1024)} KB)\n`);
    });
}
