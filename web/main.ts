// Entry of the web client the hub serves at `/` (bundled to dist/web.js, styles to dist/web.css).
import './style.css';
import { App } from './app';

const root = document.getElementById('app');
if (root) new App(root).start();
