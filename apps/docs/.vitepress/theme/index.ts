import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import './custom.css';

/** The default theme; the demo components are imported by the pages that use them. */
const theme: Theme = { extends: DefaultTheme };

export default theme;
