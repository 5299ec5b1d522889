//! JPEG and PNG: decode under limits, turn upright, re-encode with nothing but the pixels.

use std::io::Cursor;

use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader};

use crate::{FileError, FileKind, Limits};

/// JPEG quality of re-encoded photos: documents stay legible, a phone photo stays small.
const JPEG_QUALITY: u8 = 85;

pub(crate) fn reencode(bytes: &[u8], kind: FileKind, limits: &Limits) -> Result<Vec<u8>, FileError> {
    let format = match kind {
        FileKind::Jpeg => ImageFormat::Jpeg,
        FileKind::Png => ImageFormat::Png,
        FileKind::Pdf => return Err(FileError::UnknownType),
    };
    let mut image_limits = image::Limits::default();
    image_limits.max_image_width = Some(limits.max_pixels_side);
    image_limits.max_image_height = Some(limits.max_pixels_side);
    image_limits.max_alloc = Some(limits.max_alloc_bytes);

    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(image_limits);
    // The header is read and the dimensions checked here, before any pixel buffer exists.
    let mut decoder = reader.into_decoder().map_err(decode_error)?;
    // Not every decoder counts its output buffer against `max_alloc`: check it ourselves.
    if decoder.total_bytes() > limits.max_alloc_bytes {
        return Err(FileError::DecompressionBomb);
    }
    // A damaged EXIF block should not cost the citizen the photo: it is then left as it is.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    image.apply_orientation(orientation);

    let mut out = Vec::with_capacity(bytes.len());
    match kind {
        FileKind::Jpeg => {
            // JPEG holds grey or RGB; anything else the decoder produced becomes RGB.
            if !matches!(image, DynamicImage::ImageLuma8(_) | DynamicImage::ImageRgb8(_)) {
                image = DynamicImage::ImageRgb8(image.to_rgb8());
            }
            // `jpeg-encoder` rather than the image crate's own encoder: several times faster
            // (SIMD where the CPU has it), and a 12-megapixel photo is the common upload.
            let (color, width, height) = match &image {
                DynamicImage::ImageLuma8(i) => (jpeg_encoder::ColorType::Luma, i.width(), i.height()),
                _ => (jpeg_encoder::ColorType::Rgb, image.width(), image.height()),
            };
            let width = u16::try_from(width).map_err(|_| FileError::DecompressionBomb)?;
            let height = u16::try_from(height).map_err(|_| FileError::DecompressionBomb)?;
            jpeg_encoder::Encoder::new(&mut out, JPEG_QUALITY)
                .encode(image.as_bytes(), width, height, color)
                .map_err(|_| FileError::Corrupt)?;
        }
        _ => {
            image
                .write_with_encoder(PngEncoder::new_with_quality(
                    &mut out,
                    CompressionType::Default,
                    FilterType::Adaptive,
                ))
                .map_err(|_| FileError::Corrupt)?;
        }
    }
    Ok(out)
}

fn decode_error(err: ImageError) -> FileError {
    match err {
        ImageError::Limits(_) => FileError::DecompressionBomb,
        _ => FileError::Corrupt,
    }
}
