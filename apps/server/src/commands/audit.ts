import type { Command } from 'commander';
import { verifyAuditChain, type AuditVerification } from '@perflens/warehouse';
import { loadConfig } from '../config.ts';
import { readServerInfo } from '../server-info.ts';
import { OPERATOR_HEADER } from '../local-operator.ts';
import { openWarehouse } from './serve.ts';
import { langOf } from './backup.ts';

/** The running server holds the file: it recomputes the chain, asked as the local operator. */
async function verifyThroughServer(url: string, token: string): Promise<AuditVerification> {
  const res = await fetch(`${url}/trpc/admin.audit.verify`, { headers: { [OPERATOR_HEADER]: token } });
  const body = (await res.json()) as { result?: { data: AuditVerification }; error?: { message: string } };
  if (!res.ok || !body.result) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
  return body.result.data;
}

/**
 * `perflens audit verify`: recomputes the audit trail's hash chain and names the first entry that
 * was edited, removed or reordered in the database file. Exit code 1 when the chain is broken, so
 * a scheduled check can alert.
 */
export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the audit trail');
  audit
    .command('verify')
    .description('check the audit trail’s hash chain; names the first entry edited, removed or reordered in the database (exit 1 if any)')
    .action(async () => {
      const lang = langOf(process.env);
      const cfg = loadConfig();
      const server = readServerInfo(cfg.PERFLENS_DB);
      let v: AuditVerification;
      if (server?.token) v = await verifyThroughServer(server.url, server.token);
      else {
        const wh = await openWarehouse(cfg);
        try {
          v = await verifyAuditChain(wh);
        } finally {
          wh.close();
        }
      }
      const reasons = {
        content: { zh: '内容被修改', en: 'its content was changed' },
        link: { zh: '与前一条的链接断开（有条目被删除或顺序被改）', en: 'its link to the previous entry is broken (an entry was removed or reordered)' },
        head: { zh: '最后的条目被截去', en: 'entries were cut off the end' },
      } as const;
      if (v.ok) {
        process.stdout.write(lang === 'zh' ? `审计记录完整：${v.entries} 条，哈希链全部一致\n` : `Audit trail intact: ${v.entries} entries, every hash matches\n`);
        return;
      }
      const b = v.firstBroken!;
      process.stdout.write(
        lang === 'zh'
          ? `审计记录被篡改：第一处在条目 ${b.id}，${reasons[b.reason].zh}（共 ${v.entries} 条）\n`
          : `Audit trail tampered with: first at entry ${b.id}, ${reasons[b.reason].en} (${v.entries} entries)\n`,
      );
      process.exitCode = 1;
    });
}
