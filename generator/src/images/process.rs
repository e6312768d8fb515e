//! One image file's bytes → what the site publishes: its size, a copy no wider than the
//! configured maximum and a WebP version when that is smaller. Pure (bytes in, bytes out), so
//! every bad input is tested without a file system; [`super::Images`] does the I/O and caching.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, ImageReader};

/// The largest image file tryfirst reads. A screenshot is a few hundred KB; anything near this
/// is a camera original or a mistake, and reading it would slow every build.
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;
/// The most pixels tryfirst decodes (8,000 × 6,000 fits). Decoding needs 4 bytes per pixel:
/// 48 megapixels are ~200 MB of memory; a 20,000 × 20,000 image would need 1.6 GB.
pub const MAX_PIXELS: u64 = 48_000_000;
/// The widest or tallest image tryfirst decodes, in pixels.
pub const MAX_SIDE: u32 = 16_384;

/// The formats an article may show. PNG and JPEG are resized and offered as WebP; GIF, WebP
/// and AVIF are published as they are (an animated GIF would lose its animation); SVG is
/// published as it is once checked for scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Png,
    Jpeg,
    Gif,
    Webp,
    Avif,
    Svg,
}

impl Kind {
    pub fn extension(self) -> &'static str {
        match self {
            Kind::Png => "png",
            Kind::Jpeg => "jpg",
            Kind::Gif => "gif",
            Kind::Webp => "webp",
            Kind::Avif => "avif",
            Kind::Svg => "svg",
        }
    }

    /// Whether tryfirst decodes, resizes and re-encodes this format.
    pub fn is_processed(self) -> bool {
        matches!(self, Kind::Png | Kind::Jpeg)
    }
}

/// Why an image cannot be published; the message names the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("is {} MB; images are limited to {} MB", mb(*.0), mb(MAX_FILE_BYTES))]
    TooLarge(u64),
    #[error("is {0} × {1} px; images are limited to {MAX_PIXELS} pixels and {MAX_SIDE} px a side")]
    TooManyPixels(u32, u32),
    #[error("is not an image tryfirst can publish (PNG, JPEG, GIF, WebP, AVIF or SVG){0}")]
    UnknownFormat(String),
    #[error("is corrupt or truncated: {0}")]
    Corrupt(String),
    #[error("contains {0}, which could run code on the help site")]
    UnsafeSvg(&'static str),
    #[error("has no size: give its <svg> element width and height, or a viewBox")]
    SvgWithoutSize,
}

impl ImageError {
    /// How to fix it.
    pub fn hint(&self) -> &'static str {
        match self {
            ImageError::TooLarge(_) | ImageError::TooManyPixels(..) => {
                "save a screenshot at screen size (PNG) or a photo at most 4000 px wide (JPEG)"
            }
            ImageError::UnknownFormat(_) => "save it as PNG (screenshots) or JPEG (photos)",
            ImageError::Corrupt(_) => "open it in an image editor and save it again",
            ImageError::UnsafeSvg(_) => {
                "export the drawing again without scripts or event handlers, or use a PNG"
            }
            ImageError::SvgWithoutSize => "add width=\"…\" height=\"…\" to the <svg> element",
        }
    }
}

fn mb(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / (1024.0 * 1024.0))
}

/// Size and format, from the header only: cheap, and enough to refuse a huge image before
/// decoding it.
pub fn probe(bytes: &[u8], extension: &str) -> Result<(Kind, u32, u32), ImageError> {
    if extension.eq_ignore_ascii_case("svg") {
        let (width, height) = check_svg(bytes)?;
        return Ok((Kind::Svg, width, height));
    }
    let kind = match imagesize::image_type(bytes) {
        Ok(imagesize::ImageType::Png) => Kind::Png,
        Ok(imagesize::ImageType::Jpeg) => Kind::Jpeg,
        Ok(imagesize::ImageType::Gif) => Kind::Gif,
        Ok(imagesize::ImageType::Webp) => Kind::Webp,
        Ok(imagesize::ImageType::Heif(imagesize::Compression::Av1)) => Kind::Avif,
        Ok(other) => return Err(ImageError::UnknownFormat(format!(": it is {other:?}"))),
        Err(_) if bytes.len() < 32 => {
            return Err(ImageError::Corrupt("too short to be an image".into()))
        }
        Err(_) => return Err(ImageError::UnknownFormat(String::new())),
    };
    let size =
        imagesize::blob_size(bytes).map_err(|error| ImageError::Corrupt(error.to_string()))?;
    let (width, height) = (
        u32::try_from(size.width).unwrap_or(u32::MAX),
        u32::try_from(size.height).unwrap_or(u32::MAX),
    );
    if width == 0 || height == 0 {
        return Err(ImageError::Corrupt(format!(
            "its header says {width} × {height} px"
        )));
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ImageError::TooManyPixels(width, height));
    }
    Ok((kind, width, height))
}

/// What a processed (PNG or JPEG) image becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    pub width: u32,
    pub height: u32,
    /// The resized image in its own format; `None` when the original is published instead:
    /// it was narrow enough, or the resized copy came out larger in bytes (resampling a
    /// screenshot's sharp edges adds colours PNG compresses less well). The original is then
    /// shown at `width` × `height` all the same, and the WebP is the scaled one.
    pub resized: Option<Vec<u8>>,
    /// A WebP version, when smaller than the image in its own format.
    pub webp: Option<Vec<u8>>,
}

/// Decodes the whole image: a truncated or corrupt file fails here even when its header was
/// fine. A panic in a decoder is turned into an error too (a bad file must never stop a build).
pub fn decode(bytes: &[u8], kind: Kind) -> Result<DynamicImage, ImageError> {
    let format = match kind {
        Kind::Png => ImageFormat::Png,
        Kind::Jpeg => ImageFormat::Jpeg,
        _ => unreachable!("only processed kinds are decoded"),
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_PIXELS * 4 + (64 << 20));
    reader.limits(limits);
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| reader.decode()))
        .map_err(|_| ImageError::Corrupt("the decoder gave up on it".into()))?
        .map_err(|error| ImageError::Corrupt(error.to_string()))
}

/// Scales `image` down to `max_width` when wider, and encodes what the site publishes.
pub fn encode(
    image: DynamicImage,
    kind: Kind,
    original_len: usize,
    max_width: u32,
) -> Result<Encoded, ImageError> {
    let (image, resized) = if image.width() > max_width {
        let height = scaled_height(image.width(), image.height(), max_width);
        let smaller =
            image.resize_exact(max_width, height, image::imageops::FilterType::CatmullRom);
        (smaller, true)
    } else {
        (image, false)
    };
    let encode_error = |error: image::ImageError| ImageError::Corrupt(error.to_string());
    let resized = match resized {
        false => None,
        true => {
            let mut out = Cursor::new(Vec::new());
            match kind {
                Kind::Jpeg => {
                    let rgb = DynamicImage::ImageRgb8(image.to_rgb8());
                    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
                    rgb.write_with_encoder(encoder).map_err(encode_error)?;
                }
                _ => image
                    .write_to(&mut out, ImageFormat::Png)
                    .map_err(encode_error)?,
            }
            Some(out.into_inner())
        }
    };
    // Only a browser without WebP gets this one: the smaller of the two will do.
    let resized = resized.filter(|bytes| bytes.len() < original_len);
    let own_len = resized.as_ref().map_or(original_len, Vec::len);
    let mut webp = Cursor::new(Vec::new());
    let pixels = match image.color().has_alpha() {
        true => DynamicImage::ImageRgba8(image.to_rgba8()),
        false => DynamicImage::ImageRgb8(image.to_rgb8()),
    };
    pixels
        .write_with_encoder(image::codecs::webp::WebPEncoder::new_lossless(&mut webp))
        .map_err(encode_error)?;
    let webp = webp.into_inner();
    Ok(Encoded {
        width: pixels.width(),
        height: pixels.height(),
        resized,
        webp: (webp.len() < own_len).then_some(webp),
    })
}

/// The height that keeps the aspect ratio at `width`, at least 1 px.
pub fn scaled_height(width: u32, height: u32, to_width: u32) -> u32 {
    let scaled =
        (u64::from(height) * u64::from(to_width) + u64::from(width) / 2) / u64::from(width);
    u32::try_from(scaled).unwrap_or(u32::MAX).max(1)
}

/// An SVG is text that a browser runs like a page when opened on its own: one with a script,
/// an event handler or a `javascript:` link is refused. Returns its width and height.
pub fn check_svg(bytes: &[u8]) -> Result<(u32, u32), ImageError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ImageError::Corrupt("an SVG must be UTF-8 text".into()))?;
    let lower = text.to_ascii_lowercase();
    for (needle, what) in [
        ("<script", "a <script> element"),
        ("javascript:", "a javascript: link"),
        ("<foreignobject", "a <foreignObject> element"),
        ("<iframe", "an <iframe>"),
    ] {
        if lower.contains(needle) {
            return Err(ImageError::UnsafeSvg(what));
        }
    }
    if has_event_handler(&lower) {
        return Err(ImageError::UnsafeSvg("an event handler attribute (on…=)"));
    }
    let Some(start) = lower.find("<svg") else {
        return Err(ImageError::Corrupt("no <svg> element".into()));
    };
    let tag_end = lower[start..]
        .find('>')
        .map(|end| start + end)
        .ok_or_else(|| ImageError::Corrupt("the <svg> element is not closed".into()))?;
    let tag = &text[start..tag_end];
    let number = |name: &str| attribute(tag, name).and_then(|v| parse_length(&v));
    match (number("width"), number("height")) {
        (Some(width), Some(height)) => Ok((width, height)),
        _ => {
            let view_box = attribute(tag, "viewBox").ok_or(ImageError::SvgWithoutSize)?;
            let values: Vec<f64> = view_box
                .split(|c: char| c.is_whitespace() || c == ',')
                .filter(|v| !v.is_empty())
                .filter_map(|v| v.parse().ok())
                .collect();
            match values[..] {
                [_, _, width, height] if width >= 1.0 && height >= 1.0 => {
                    Ok((width.round() as u32, height.round() as u32))
                }
                _ => Err(ImageError::SvgWithoutSize),
            }
        }
    }
}

/// ` onload=`, `\nonclick =`: an attribute whose name starts with "on" after whitespace.
fn has_event_handler(lower: &str) -> bool {
    let bytes = lower.as_bytes();
    lower.match_indices("on").any(|(at, _)| {
        let after_space = at > 0 && bytes[at - 1].is_ascii_whitespace();
        let name_end = bytes[at + 2..]
            .iter()
            .position(|b| !b.is_ascii_alphabetic())
            .map(|n| at + 2 + n);
        after_space
            && name_end.is_some_and(|end| {
                end > at + 2
                    && bytes[end..]
                        .iter()
                        .find(|b| !b.is_ascii_whitespace())
                        .is_some_and(|b| *b == b'=')
            })
    })
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let mut rest = tag;
    while let Some(at) = rest.find(name) {
        let before_ok = at > 0 && rest.as_bytes()[at - 1].is_ascii_whitespace();
        let after = rest[at + name.len()..].trim_start();
        if before_ok {
            if let Some(value) = after.strip_prefix('=') {
                let value = value.trim_start();
                let quote = value.chars().next()?;
                if quote == '"' || quote == '\'' {
                    let inner = &value[1..];
                    return inner.find(quote).map(|end| inner[..end].to_owned());
                }
            }
        }
        rest = &rest[at + name.len()..];
    }
    None
}

/// `24`, `24px`, `24.5`: a length in pixels; percentages and other units are not a size.
fn parse_length(value: &str) -> Option<u32> {
    let number = value.trim().trim_end_matches("px");
    let parsed: f64 = number.parse().ok()?;
    (parsed >= 1.0).then(|| parsed.round() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG of `width` × `height` with a gradient (so it compresses like a real image).
    pub fn png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([
                (x % 256) as u8,
                (y % 256) as u8,
                ((x / 7 + y / 5) % 256) as u8,
            ])
        });
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(image)
            .write_to(&mut out, ImageFormat::Png)
            .unwrap();
        out.into_inner()
    }

    /// A PNG of noise, like a photo: it compresses badly, so fewer pixels means fewer bytes.
    fn noise_png(width: u32, height: u32) -> Vec<u8> {
        let mut state = 0x2545_f491_u32;
        let image = image::RgbImage::from_fn(width, height, |_, _| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let [a, b, c, _] = state.to_le_bytes();
            image::Rgb([a, b, c])
        });
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(image)
            .write_to(&mut out, ImageFormat::Png)
            .unwrap();
        out.into_inner()
    }

    #[test]
    fn probes_the_header_without_decoding() {
        assert_eq!(probe(&png(30, 20), "png").unwrap(), (Kind::Png, 30, 20));
    }

    #[test]
    fn a_huge_image_is_refused_from_its_header() {
        // The header of a 20,000 × 20,000 PNG: its pixels never exist, so nothing is decoded.
        let mut header = png(1, 1);
        header[16..20].copy_from_slice(&20_000u32.to_be_bytes());
        header[20..24].copy_from_slice(&20_000u32.to_be_bytes());
        assert_eq!(
            probe(&header, "png"),
            Err(ImageError::TooManyPixels(20_000, 20_000))
        );
        let mut wide = png(1, 1);
        wide[16..20].copy_from_slice(&9_000u32.to_be_bytes());
        wide[20..24].copy_from_slice(&9_000u32.to_be_bytes());
        assert!(matches!(
            probe(&wide, "png"),
            Err(ImageError::TooManyPixels(..))
        ));
    }

    #[test]
    fn a_truncated_image_fails_to_decode_with_a_message() {
        let whole = png(200, 100);
        let truncated = &whole[..whole.len() / 2];
        let (kind, ..) = probe(truncated, "png").expect("the header is intact");
        let error = decode(truncated, kind).unwrap_err();
        assert!(matches!(error, ImageError::Corrupt(_)), "{error:?}");
    }

    #[test]
    fn garbage_is_not_an_image() {
        assert!(matches!(
            probe(b"this is a text file renamed to .png, long enough", "png"),
            Err(ImageError::UnknownFormat(_))
        ));
        assert!(matches!(
            probe(b"\x89PNG", "png"),
            Err(ImageError::Corrupt(_))
        ));
        // A valid header over corrupt pixel data.
        let mut bad = png(64, 64);
        let middle = bad.len() / 2;
        for byte in &mut bad[middle..middle + 40] {
            *byte ^= 0x5a;
        }
        let (kind, ..) = probe(&bad, "png").unwrap();
        assert!(matches!(decode(&bad, kind), Err(ImageError::Corrupt(_))));
    }

    #[test]
    fn wide_images_are_scaled_down_and_offered_as_webp() {
        let bytes = noise_png(1600, 400);
        let image = decode(&bytes, Kind::Png).unwrap();
        let encoded = encode(image, Kind::Png, bytes.len(), 1200).unwrap();
        assert_eq!((encoded.width, encoded.height), (1200, 300));
        // Noise: the scaled copy has fewer pixels and so fewer bytes than the original.
        let resized = encoded.resized.expect("resized");
        assert!(resized.len() < bytes.len());
        assert_eq!(probe(&resized, "png").unwrap(), (Kind::Png, 1200, 300));
        if let Some(webp) = encoded.webp {
            assert_eq!(probe(&webp, "webp").unwrap(), (Kind::Webp, 1200, 300));
            assert!(webp.len() < resized.len());
        }
        let narrow = png(300, 200);
        let image = decode(&narrow, Kind::Png).unwrap();
        let encoded = encode(image, Kind::Png, narrow.len(), 1200).unwrap();
        assert_eq!(
            (encoded.width, encoded.height, encoded.resized),
            (300, 200, None)
        );
    }

    #[test]
    fn a_scaled_copy_larger_than_the_original_is_not_published() {
        // Periodic colour bands compress very well at full size, less so once resampled.
        let bytes = png(1600, 400);
        let encoded = encode(
            decode(&bytes, Kind::Png).unwrap(),
            Kind::Png,
            bytes.len(),
            1200,
        )
        .unwrap();
        assert_eq!((encoded.width, encoded.height), (1200, 300));
        assert_eq!(encoded.resized, None);
        assert!(encoded.webp.is_none_or(|webp| webp.len() < bytes.len()));
    }

    #[test]
    fn a_screenshot_gets_a_smaller_webp() {
        // Flat colours, like a screenshot of a dialog: lossless WebP beats PNG.
        let image = image::RgbImage::from_fn(400, 300, |x, y| {
            if (x / 40 + y / 30).is_multiple_of(2) {
                image::Rgb([240, 240, 240])
            } else {
                image::Rgb([30, 90, 200])
            }
        });
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(image)
            .write_to(&mut out, ImageFormat::Png)
            .unwrap();
        let bytes = out.into_inner();
        let encoded = encode(
            decode(&bytes, Kind::Png).unwrap(),
            Kind::Png,
            bytes.len(),
            1200,
        )
        .unwrap();
        assert!(encoded.webp.is_some_and(|w| w.len() < bytes.len()));
    }

    #[test]
    fn svg_with_script_or_handlers_is_refused() {
        let ok = br#"<svg xmlns="http://www.w3.org/2000/svg" width="24" height="16"><path d="M0 0"/></svg>"#;
        assert_eq!(check_svg(ok), Ok((24, 16)));
        let view_box = br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50"></svg>"#;
        assert_eq!(check_svg(view_box), Ok((100, 50)));
        for bad in [
            &br#"<svg width="1" height="1"><script>alert(1)</script></svg>"#[..],
            br#"<svg width="1" height="1"><SCRIPT href="x.js"/></svg>"#,
            br#"<svg width="1" height="1" onload="alert(1)"></svg>"#,
            br#"<svg width="1" height="1"><a href="javascript:alert(1)">x</a></svg>"#,
            br#"<svg width="1" height="1"><foreignObject></foreignObject></svg>"#,
        ] {
            assert!(
                matches!(check_svg(bad), Err(ImageError::UnsafeSvg(_))),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        // "on" inside a word or a value is not a handler.
        let fine = br#"<svg width="1" height="1"><g class="icon button" data-x="onion"/></svg>"#;
        assert_eq!(check_svg(fine), Ok((1, 1)));
        assert_eq!(check_svg(b"<svg></svg>"), Err(ImageError::SvgWithoutSize));
    }

    #[test]
    fn scaled_height_keeps_the_ratio() {
        assert_eq!(scaled_height(2400, 1000, 1200), 500);
        assert_eq!(scaled_height(5000, 1, 1200), 1);
    }
}
