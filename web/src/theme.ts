// Mantine's theme, set for contrast (WCAG AA, which the UI tests hold every page to with axe): the
// primary colour one shade darker than Mantine's default, whose white-on-blue buttons fall short,
// alerts whose words keep the text colour (their background still says green or red), and dimmed
// text one shade darker than Mantine's grey, which reads at 3.3:1 on white, and light-variant
// controls (the active navigation link above all) dark on pale, hovered or not.
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
  light: {
    '--mantine-color-dimmed': t.colors.gray[7]!,
    // Light-variant controls (the active page's link, light buttons and badges): their words in the
    // darkest blue, on backgrounds light enough to read it at 4.5:1 even under the pointer.
    '--mantine-primary-color-light': t.colors.blue[0]!,
    '--mantine-primary-color-light-hover': t.colors.blue[1]!,
    '--mantine-primary-color-light-color': t.colors.blue[9]!,
  },
  dark: {},
});
