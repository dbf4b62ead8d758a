// Entry of the single-executable build (pkg.config.json); npm installs use bin/kavilo.js.
import { main } from "./main.js";

void main();
