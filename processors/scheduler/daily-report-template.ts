import type { Template } from '../../schemas/types';

/**
 * The built-in daily statistics email, rendered with the report's model (domain/daily-report/model.ts,
 * fields listed in the README). An admin replaces it by storing a template (POST /api/templates) and naming
 * it in DAILY_REPORT_TEMPLATE_ID; this one stays the fallback when that template is gone or does not render.
 *
 * The text part keeps one fact per line ("  sms: 9, sent 7, failed 2"), so it reads well in any mail client
 * and a script can parse it; the HTML part is the same as tables.
 */
export const DAILY_REPORT_TEMPLATE: Template = {
  id: 'builtin:daily-report',
  name: 'Daily statistics email',
  defaultLocale: 'en',
  contextProvider: null,
  updatedAt: 0,
  variants: {
    en: {
      email: {
        subject: 'Vestnik daily report {{day}}: {{all.total}} messages, {{#if all.byStatus.failed}}{{all.byStatus.failed}}{{else}}0{{/if}} failed',
        text: 'Vestnik deliveries of {{day}} ({{timezone}}: {{from}} to {{to}}, {{hours}} hours)\n'
          + '\nAll messages: {{all.total}}{{#each all.statuses}}, {{status}} {{count}}{{/each}}\n'
          + '\nBy channel:\n{{#each channels}}  {{channel}}: {{total}}{{#each statuses}}, {{status}} {{count}}{{/each}}\n'
          + '{{else}}  (no messages)\n{{/each}}'
          + '\nBy mailing:\n{{#each mailings}}  {{id}}{{#if label}} "{{label}}"{{/if}}: {{total}}{{#each statuses}}, {{status}} {{count}}{{/each}}\n'
          + '{{else}}  (no mailing had messages)\n{{/each}}'
          + '\nTop failure reasons:\n{{#each failures}}  {{count}} x {{reason}}\n{{else}}  (none)\n{{/each}}'
          + '\nThe statistics API gives the same numbers: GET /api/stats/mailings?from={{from}}&to={{to}}'
          + ' (and /api/stats/channels, /api/stats/overview with the same range).\nGenerated at {{generatedAt}}.\n',
        html: '<h2>Vestnik deliveries of {{day}}</h2>'
          + '<p>{{timezone}}: {{from}} to {{to}} ({{hours}} hours). All messages: <b>{{all.total}}</b>'
          + '{{#each all.statuses}}, {{status}} {{count}}{{/each}}.</p>'
          + '<h3>By channel</h3>{{#if channels.length}}<table border="1" cellpadding="4"><tr><th>channel</th><th>messages</th><th>by status</th></tr>'
          + '{{#each channels}}<tr><td>{{channel}}</td><td>{{total}}</td><td>{{#each statuses}}{{status}} {{count}}{{#unless @last}}, {{/unless}}{{/each}}</td></tr>{{/each}}'
          + '</table>{{else}}<p>No messages.</p>{{/if}}'
          + '<h3>By mailing</h3>{{#if mailings.length}}<table border="1" cellpadding="4"><tr><th>mailing</th><th>messages</th><th>by status</th></tr>'
          + '{{#each mailings}}<tr><td>{{id}}{{#if label}}<br><small>{{label}}</small>{{/if}}</td><td>{{total}}</td>'
          + '<td>{{#each statuses}}{{status}} {{count}}{{#unless @last}}, {{/unless}}{{/each}}</td></tr>{{/each}}'
          + '</table>{{else}}<p>No mailing had messages.</p>{{/if}}'
          + '<h3>Top failure reasons</h3>{{#if failures.length}}<ol>{{#each failures}}<li>{{count}} &times; {{reason}}</li>{{/each}}</ol>'
          + '{{else}}<p>None.</p>{{/if}}'
          + '<p><small>Generated at {{generatedAt}}.</small></p>',
      },
      sms: null, push: null, inapp: null,
    },
  },
};
