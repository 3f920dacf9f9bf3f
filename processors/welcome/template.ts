import type { Template } from '../../schemas/types';

/**
 * The built-in welcome email, by locale. Built in rather than stored through the template API: it
 * must exist from the first registration on, before any admin has created anything. Context:
 * `{ name, confirmUrl, expiresInHours }`.
 */
export const WELCOME_TEMPLATE: Template = {
  id: 'builtin:welcome',
  name: 'Welcome email with an email confirmation link',
  defaultLocale: 'en',
  contextProvider: null,
  updatedAt: 0,
  variants: {
    en: {
      email: {
        subject: 'Welcome, {{name}}! Please confirm your email',
        text: 'Hello {{name}},\n\nwelcome aboard! Please confirm your email address by opening this link:\n\n'
          + '{{confirmUrl}}\n\nThe link works once and expires in {{expiresInHours}} hours.\n',
        html: '<p>Hello {{name}},</p><p>welcome aboard! Please confirm your email address:</p>'
          + '<p><a href="{{confirmUrl}}">Confirm my email</a></p>'
          + '<p>The link works once and expires in {{expiresInHours}} hours.</p>',
      },
      sms: null, push: null, inapp: null,
    },
    ru: {
      email: {
        subject: 'Добро пожаловать, {{name}}! Подтвердите email',
        text: 'Здравствуйте, {{name}}!\n\nДобро пожаловать! Подтвердите адрес электронной почты по ссылке:\n\n'
          + '{{confirmUrl}}\n\nСсылка действует один раз и истекает через {{expiresInHours}} ч.\n',
        html: '<p>Здравствуйте, {{name}}!</p><p>Добро пожаловать! Подтвердите адрес электронной почты:</p>'
          + '<p><a href="{{confirmUrl}}">Подтвердить email</a></p>'
          + '<p>Ссылка действует один раз и истекает через {{expiresInHours}} ч.</p>',
      },
      sms: null, push: null, inapp: null,
    },
  },
};
