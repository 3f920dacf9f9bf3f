// htm bound to preact: JSX-like templates without a build step.
export { html, render } from 'htm/preact';
