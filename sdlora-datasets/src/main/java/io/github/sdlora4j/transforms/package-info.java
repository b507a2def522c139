/**
 * Image preprocessing and augmentation written for planar byte images: PIL-compatible antialiased
 * resampling, the reference test transform (resize shorter side, centre crop) and the reference train
 * transform (RandomResizedCrop + horizontal flip), see section 5.4 of the SD-LoRA spec.
 */
package io.github.sdlora4j.transforms;
