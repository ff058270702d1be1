// @tufjs/models for the publisher, its snapshot and targets maps built in one pass (client/src/index/
// tuf-linear-maps.ts): signing the snapshot of a 100k registry's 512 bins re-serialized its meta in O(n²).
// Everything in tools/src/tuf imports the models from here.
import { linearTufMaps } from '@wharf/client/tuf-linear-maps';

linearTufMaps();

export * from '@tufjs/models';
