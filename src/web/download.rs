//! Files for tutorial authors: save text as a download, collect the page's charts for the SVG
//! file (which the on-demand worker writes, see [`crate::on_demand`]), and turn that SVG into a
//! PNG.

use futures::channel::oneshot;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, Element, HtmlAnchorElement, HtmlCanvasElement, Url};

use crate::trace::export::SvgPart;

fn blob(content: &str, mime: &str) -> Result<Blob, String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(content));
    let opts = BlobPropertyBag::new();
    opts.set_type(mime);
    Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(|_| "no Blob".to_string())
}

/// Offers `blob` as a file called `file_name` (the browser's usual download).
pub fn save_blob(file_name: &str, blob: &Blob) -> Result<(), String> {
    let doc = leptos::prelude::document();
    let url = Url::create_object_url_with_blob(blob).map_err(|_| "no object URL".to_string())?;
    let a: HtmlAnchorElement = doc
        .create_element("a")
        .map_err(|_| "no <a>".to_string())?
        .unchecked_into();
    a.set_href(&url);
    a.set_download(file_name);
    a.click();
    // The click has started the download synchronously; the URL can go.
    let _ = Url::revoke_object_url(&url);
    Ok(())
}

/// Offers `content` as a file called `file_name` with type `mime`.
pub fn save_text(file_name: &str, mime: &str, content: &str) -> Result<(), String> {
    save_blob(file_name, &blob(content, mime)?)
}

/// Every `svg` matching `selector`, serialized as standalone markup, with the heading of the
/// card it sits in and its size from its viewBox.
pub fn chart_parts(selector: &str) -> Vec<SvgPart> {
    let doc = leptos::prelude::document();
    let Ok(list) = doc.query_selector_all(selector) else {
        return Vec::new();
    };
    let Ok(serializer) = web_sys::XmlSerializer::new() else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<Element>().ok())
        .filter_map(|svg| {
            let markup = serializer.serialize_to_string(&svg).ok()?;
            let view_box = svg.get_attribute("viewBox")?;
            let dims: Vec<f64> = view_box
                .split_whitespace()
                .filter_map(super::parse_number)
                .collect();
            let heading = svg
                .closest("article, section")
                .ok()
                .flatten()
                .and_then(|card| card.query_selector("h2").ok().flatten())
                .and_then(|h| h.text_content())
                .unwrap_or_default();
            Some(SvgPart {
                heading,
                markup,
                width: *dims.get(2)?,
                height: *dims.get(3)?,
            })
        })
        .collect()
}

/// Renders a standalone SVG document to a PNG at twice its size (crisp on high-density
/// screens), through an image and a canvas.
pub async fn svg_to_png(svg: &str) -> Result<Blob, String> {
    let svg_blob = blob(svg, "image/svg+xml")?;
    let url = Url::create_object_url_with_blob(&svg_blob).map_err(|_| "no object URL")?;
    let img = web_sys::HtmlImageElement::new().map_err(|_| "no image")?;
    let (tx, rx) = oneshot::channel::<Result<(), String>>();
    let tx = std::rc::Rc::new(std::cell::RefCell::new(Some(tx)));
    let (tx_ok, tx_err) = (tx.clone(), tx);
    let onload = Closure::once(move || {
        if let Some(t) = tx_ok.borrow_mut().take() {
            let _ = t.send(Ok(()));
        }
    });
    let onerror = Closure::once(move || {
        if let Some(t) = tx_err.borrow_mut().take() {
            let _ = t.send(Err("the chart could not be drawn as an image".into()));
        }
    });
    img.set_onload(Some(onload.as_ref().unchecked_ref()));
    img.set_onerror(Some(onerror.as_ref().unchecked_ref()));
    img.set_src(&url);
    let loaded = rx
        .await
        .unwrap_or_else(|_| Err("image loading was dropped".into()));
    let _ = Url::revoke_object_url(&url);
    loaded?;
    let (w, h) = (img.natural_width().max(1), img.natural_height().max(1));
    let canvas: HtmlCanvasElement = leptos::prelude::document()
        .create_element("canvas")
        .map_err(|_| "no canvas")?
        .unchecked_into();
    canvas.set_width(w * 2);
    canvas.set_height(h * 2);
    let ctx: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .ok_or("no 2d context")?
        .unchecked_into();
    ctx.scale(2.0, 2.0).map_err(|_| "canvas scale failed")?;
    ctx.draw_image_with_html_image_element(&img, 0.0, 0.0)
        .map_err(|_| "drawing the chart failed")?;
    let (tx, rx) = oneshot::channel::<Option<Blob>>();
    let done = Closure::once(move |b: Option<Blob>| {
        let _ = tx.send(b);
    });
    canvas
        .to_blob(done.as_ref().unchecked_ref())
        .map_err(|_| "the canvas could not be saved")?;
    rx.await
        .ok()
        .flatten()
        .ok_or_else(|| "the canvas gave no PNG".to_string())
}
