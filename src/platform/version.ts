// The version of this release, read from package.json so it is written in one place. From the sources that is
// the package's own file; the build (tsconfig.build.json) emits a copy at the same relative place in dist/.
import pkg from '../../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;
