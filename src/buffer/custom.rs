//! Exporters written outside pepkit (the C vtable of `pepkit_custom_new`):
//! they describe their memory in a `pepkit_buffer`, and pepkit applies
//! CPython's request rules to what they filled in.

use std::any::Any;
use std::ffi::c_int;

use super::geometry::{Geometry, Order};
use super::handle::Object;
use super::object::{pepkit_object, Counted, Counter, ObjectKind, Provider};
use super::request::{self, Style, Traits};
use super::pepkit_buffer;
use crate::error::{Error, Result};

/// An exporter written outside pepkit, as a CPython type with its own
/// `bf_getbuffer`/`bf_releasebuffer`. Dropping it is its deallocation: it
/// happens once, when the object's last reference and export are gone, on
/// whichever thread drops them.
///
/// # Safety
/// What `getbuffer` describes must be memory (and arrays: format, shape,
/// strides, suboffsets) that stays valid until `releasebuffer` runs for that
/// export, that any thread may read, and that is not written while the view
/// says it is read-only; `ndim`, `len`, `itemsize` and the arrays must agree
/// as for a `Py_buffer`. `getbuffer` and `releasebuffer` may be called from
/// any thread, concurrently for different exports.
pub unsafe trait Exporter: Send + Sync + 'static {
    /// Describes the memory in `view` (zeroed on entry) for a request `flags`.
    /// pepkit then applies the request rules to what was filled in.
    fn getbuffer(&self, view: &mut pepkit_buffer, flags: c_int) -> Result<()>;
    /// Ends an export this exporter described (the view as the consumer
    /// released it, `internal` intact).
    fn releasebuffer(&self, view: &mut pepkit_buffer);
}

/// A new object whose exports `exporter` describes.
pub(crate) fn new_custom<E: Exporter>(exporter: E) -> Object {
    pepkit_object::new_provided(Custom(exporter))
}

/// An [`Exporter`] as a provider: its description, checked and narrowed.
struct Custom<E>(E);

impl<E: Exporter> Provider for Custom<E> {
    fn kind(&self) -> ObjectKind {
        ObjectKind::Custom
    }

    fn getbuffer(&self, counter: Counter<'_>, view: &mut pepkit_buffer, flags: c_int) -> Result<Counted> {
        // A scratch struct, so that a refused request writes nothing.
        let mut out = pepkit_buffer::zeroed();
        self.0.getbuffer(&mut out, flags)?;
        if !out.obj.is_null() {
            // The callback stored a reference of its own; the export's replaces it.
            // SAFETY: a reference the callback handed over with the view.
            unsafe { pepkit_object::decref(out.obj) };
            out.obj = std::ptr::null_mut();
        }
        if out.internal == super::fill_info_marker() {
            // That reference came from pepkit_buffer_fill_info; this
            // view is a counted export, so release must end it.
            out.internal = std::ptr::null_mut();
        }
        let checked = custom_traits(&out).and_then(|t| request::check(out.readonly != 0, !out.format.is_null(), flags, &t));
        if let Err(err) = checked {
            self.0.releasebuffer(&mut out);
            return Err(err);
        }
        request::narrow(&mut out, flags);
        *view = out;
        super::rebase_self_pointers(&out, view);
        Ok(counter.count(view))
    }

    fn releasebuffer(&self, view: &mut pepkit_buffer) {
        self.0.releasebuffer(view);
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Checks what a custom exporter filled in and derives the rule inputs.
fn custom_traits(view: &pepkit_buffer) -> Result<Traits> {
    // SAFETY: the Exporter's contract: the arrays hold ndim entries each.
    let g = unsafe { Geometry::of(view) }.map_err(|e| Error::value(format!("custom exporter's getbuffer: {}", e.message)))?;
    Ok(Traits {
        kind: ObjectKind::Custom,
        style: Style::NdArray,
        c_contiguous: g.is_contiguous(Order::C),
        f_contiguous: g.is_contiguous(Order::F),
        pil: g.suboffsets.is_some(),
    })
}
