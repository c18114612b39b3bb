// The Wh a list of bundles holds: what every count, confirmation and button of these pages states.
export const bundlesWh = (bundles: readonly { bundle_quantity: number }[]) =>
  bundles.reduce((s, b) => s + b.bundle_quantity, 0);
