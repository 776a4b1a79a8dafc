// options.augment, options.represent and options.imageShape, resolved together:
// both read the rows as images, and they cannot be combined (docs/spec.md §10, §13).
import { FlipcertError } from '../errors.js';
import { resolveImageShape } from '../checks/image-shape.js';
import { resolveAugmentation, type Augmentation } from '../kernel/augment.js';
import { parseRepresentation, type Representation } from './spec.js';

export interface ResolvedImages {
  augment: Augmentation | undefined;
  represent: Representation | undefined;
  /** [height, width, channels] when augmentation or a scattering stage reads the rows as images. */
  imageShape: [number, number, number] | undefined;
}

/** augment, represent and the image shape they read. */
export function resolveImages(
  options: { augment?: string; represent?: string; imageShape?: readonly [number, number, number] },
  d: number,
): ResolvedImages {
  const represent = options.represent === undefined ? undefined : parseRepresentation(options.represent);
  const readsImages = represent?.stages[0]?.kind === 'scattering';
  if (options.augment !== undefined && represent !== undefined) {
    // Augmented copies are images; a representation of them would be fitted on copies the test rows never see.
    throw new FlipcertError('options.augment and options.represent cannot be combined: augmentation transforms raw images, the representation replaces them', 'EUNSUPPORTED', {
      field: 'represent',
    });
  }
  if (options.augment !== undefined) {
    const augment = resolveAugmentation(options.augment, options.imageShape, d);
    return { augment, represent, imageShape: [augment.height, augment.width, augment.channels] };
  }
  if (options.imageShape !== undefined && !readsImages) {
    throw new FlipcertError('options.imageShape applies with options.augment or a scattering stage of options.represent only', 'EOPTION', { field: 'imageShape' });
  }
  const imageShape = readsImages ? resolveImageShape(options.imageShape, d, 'a scattering stage of options.represent') : undefined;
  if (imageShape && imageShape[2] !== 1) {
    throw new FlipcertError(
      `options.represent: scattering reads single-channel images, but options.imageShape has ${imageShape[2]} channels`,
      'EUNSUPPORTED',
      { field: 'imageShape' },
    );
  }
  return { augment: undefined, represent, imageShape };
}

