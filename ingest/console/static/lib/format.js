// How numbers and times read in the console: the viewer's locale and time zone.

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export const formatCount = (n) => integer.format(n);
export const formatRate = (n) => decimal.format(n);
export const formatTime = (iso) => (iso ? dateTime.format(new Date(iso)) : '—');
export const percent = (part, whole) => (whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0);

/** An ISO instant as the value of an <input type="datetime-local"> (local time, minutes). */
export function toLocalInput(ms) {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

/** A datetime-local value as an ISO instant with the browser's offset; '' stays ''. */
export function fromLocalInput(value) {
  return value ? new Date(value).toISOString() : '';
}

/** "a, b ,c" → ['a', 'b', 'c']. */
export const splitList = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);
