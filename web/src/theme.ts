// Mantine's theme, set for contrast (WCAG AA, which the UI tests hold every page to with axe): the
// primary colour one shade darker than Mantine's default, whose white-on-blue buttons fall short,
// alerts whose words keep the text colour (their background still says green or red), and dimmed
// text one shade darker than Mantine's grey, which reads at 3.3:1 on white.
import { Alert, type CSSVariablesResolver, createTheme } from '@mantine/core';

export const theme = createTheme({
  primaryShade: 8,
  components: {
    Alert: Alert.extend({
      styles: { title: { color: 'var(--mantine-color-text)' }, message: { color: 'var(--mantine-color-text)' } },
    }),
  },
});

export const cssVariables: CSSVariablesResolver = (t) => ({
  variables: {},
  light: { '--mantine-color-dimmed': t.colors.gray[7]! },
  dark: {},
});
