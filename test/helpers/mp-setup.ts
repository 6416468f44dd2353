/** setupFiles of the `mp` jest project: the mini program globals (test/helpers/mp-globals.ts). */
import { installMiniProgramGlobals } from './mp-globals';

installMiniProgramGlobals();
