// Mantine's theme, set for contrast (WCAG AA, which the UI tests hold every page to with axe): the
// primary colour one shade darker than Mantine's default, whose white-on-blue buttons fall short,
// and alerts whose words keep the text colour (their background still says green or red).
import { Alert, createTheme } from '@mantine/core';

export const theme = createTheme({
  primaryShade: 8,
  components: {
    Alert: Alert.extend({
      styles: { title: { color: 'var(--mantine-color-text)' }, message: { color: 'var(--mantine-color-text)' } },
    }),
  },
});
