import type { Template } from '../../schemas/types';

/**
 * The id under which an admin may store their own episode email (PUT /api/templates/episode-released).
 * When it exists it replaces the built-in one: wording, branding and extra locales are content that
 * editors change without a deploy. The built-in template stays the fallback, so the flow works from the
 * first episode on, before anyone has created anything (and again if the stored one is deleted).
 */
export const EPISODE_TEMPLATE_ID = 'episode-released';

/**
 * The built-in new-episode email, by locale. Context (see episodeContext): `{ name, seriesTitle,
 * episodeTitle, seasonNumber, episodeNumber, url }`; name, season and episode number may be null, so
 * each is shown only when present (`includeZero`: a "season 0" of specials is still a season).
 */
export const EPISODE_TEMPLATE: Template = {
  id: 'builtin:episode-released',
  name: 'New episode of a series the client subscribes to',
  defaultLocale: 'en',
  contextProvider: null,
  updatedAt: 0,
  variants: {
    en: {
      email: {
        subject: 'New episode of {{seriesTitle}}: {{episodeTitle}}',
        text: 'Hello{{#if name}} {{name}}{{/if}},\n\na new episode of {{seriesTitle}} is out: '
          + '{{#if seasonNumber includeZero=true}}season {{seasonNumber}}, {{/if}}'
          + '{{#if episodeNumber includeZero=true}}episode {{episodeNumber}}, {{/if}}"{{episodeTitle}}".\n\n'
          + 'Watch it here: {{url}}\n\nYou get this email because you follow {{seriesTitle}}.\n',
        html: '<p>Hello{{#if name}} {{name}}{{/if}},</p><p>a new episode of <b>{{seriesTitle}}</b> is out: '
          + '{{#if seasonNumber includeZero=true}}season {{seasonNumber}}, {{/if}}'
          + '{{#if episodeNumber includeZero=true}}episode {{episodeNumber}}, {{/if}}&laquo;{{episodeTitle}}&raquo;.</p>'
          + '<p><a href="{{url}}">Watch it now</a></p>'
          + '<p>You get this email because you follow {{seriesTitle}}.</p>',
      },
      sms: null, push: null, inapp: null,
    },
    ru: {
      email: {
        subject: 'Новая серия «{{seriesTitle}}»: {{episodeTitle}}',
        text: 'Здравствуйте{{#if name}}, {{name}}{{/if}}!\n\nВышла новая серия «{{seriesTitle}}»: '
          + '{{#if seasonNumber includeZero=true}}сезон {{seasonNumber}}, {{/if}}'
          + '{{#if episodeNumber includeZero=true}}серия {{episodeNumber}}, {{/if}}«{{episodeTitle}}».\n\n'
          + 'Смотреть: {{url}}\n\nВы получили это письмо, потому что подписаны на «{{seriesTitle}}».\n',
        html: '<p>Здравствуйте{{#if name}}, {{name}}{{/if}}!</p><p>Вышла новая серия <b>«{{seriesTitle}}»</b>: '
          + '{{#if seasonNumber includeZero=true}}сезон {{seasonNumber}}, {{/if}}'
          + '{{#if episodeNumber includeZero=true}}серия {{episodeNumber}}, {{/if}}«{{episodeTitle}}».</p>'
          + '<p><a href="{{url}}">Смотреть</a></p>'
          + '<p>Вы получили это письмо, потому что подписаны на «{{seriesTitle}}».</p>',
      },
      sms: null, push: null, inapp: null,
    },
  },
};
