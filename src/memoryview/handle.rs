//! The memoryview as an object: its state behind a lock (live until
//! released), its own getbuffer, and the [`MemoryView`] handle with the
//! operations of Python's `memoryview`.

use std::any::Any;
use std::ffi::c_int;
use std::sync::{OnceLock, RwLock, RwLockReadGuard};

use super::bytes::Hex;
use super::items::{self, Value};
use super::slice::Slice;
use super::view::{ViewState, RELEASED};
use crate::buffer::{
    check_request, narrow_request, pepkit_buffer, pepkit_object, Counted, Counter, Export, Flags, Object,
    ObjectKind, Order, Provider, Style, Traits,
};
use crate::error::{Error, Result};

/// A memoryview object's payload: the view's state, live until released,
/// and its hash once computed.
pub(crate) struct ViewObject {
    state: RwLock<Option<ViewState>>,
    hash: OnceLock<isize>,
}

impl ViewObject {
    /// Read access to a live view, or ValueError for a released one.
    fn live(&self) -> Result<RwLockReadGuard<'_, Option<ViewState>>> {
        let guard = self.state.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        if guard.is_none() {
            return Err(Error::value(RELEASED));
        }
        Ok(guard)
    }
}

impl Provider for ViewObject {
    fn kind(&self) -> ObjectKind {
        ObjectKind::MemoryView
    }

    /// memoryview's own getbuffer: the ndarray rules with memoryview's
    /// messages, on the view's own descriptor.
    fn getbuffer(&self, counter: Counter<'_>, view: &mut pepkit_buffer, flags: c_int) -> Result<Counted> {
        let guard = self.live()?;
        let state = ViewGuard::state_of(&guard);
        let traits = Traits {
            kind: ObjectKind::MemoryView,
            style: Style::MemoryView,
            c_contiguous: state.c_contiguous,
            f_contiguous: state.f_contiguous,
            pil: !state.view.suboffsets.is_null(),
        };
        check_request(state.view.readonly != 0, true, flags, &traits)?;
        *view = state.view;
        narrow_request(view, flags);
        // Counted under the view's read lock, so that release sees it.
        Ok(counter.count(view))
    }

    fn releasebuffer(&self, _view: &mut pepkit_buffer) {}

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A Python `memoryview`: a view of an exporter's memory, with CPython
/// 3.11's semantics (and, beyond them, N-d slicing, sub-views, assignment,
/// and item access for every struct format).
///
/// A memoryview is itself an [`Object`] (it dereferences to one): it can be
/// exported, viewed again, and shared between threads. Every view made from
/// one exporter (slices, casts, read-only copies) shares one export of it,
/// released when the last of them is released or dropped.
///
/// Each operation takes the view's read lock for its duration; [`lock`](Self::lock)
/// holds it across several, with borrowed access to shape and strides.
///
/// ```
/// use pepkit::memoryview::Hex;
/// use pepkit::{MemoryView, Object, Order, Slice};
///
/// let data = Object::bytearray(&[1, 2, 3, 4, 5, 6])?;
/// let m = MemoryView::new(&data)?;
/// let grid = m.cast("B", Some(&[2, 3]))?;
/// assert_eq!(grid.tolist()?, "[[1, 2, 3], [4, 5, 6]]");
/// // grid[:, ::-2], beyond CPython's 1-D slicing.
/// let corners = grid.slice(&[Slice::ALL, Slice::new(None, None, Some(-2))])?;
/// assert_eq!(corners.tobytes(Order::C)?, [3, 1, 6, 4]);
/// assert_eq!(m.hex(&Hex::new(Some(b"-"), 1)?)?, "01-02-03-04-05-06");
/// m.set_item(&[0], &pepkit::Value::UInt(9))?;
/// assert_eq!(grid.get_item(&[0, 0])?, pepkit::Value::UInt(9));
/// assert!(data.resize(0).is_err(), "exported while views live");
/// assert!(m.equal(&Object::bytes(&[9, 2, 3, 4, 5, 6])?)?);
/// # Ok::<(), pepkit::Error>(())
/// ```
#[repr(transparent)]
#[derive(Clone)]
pub struct MemoryView(Object);

impl MemoryView {
    /// `memoryview(exporter)`: a view of all of `exporter`'s memory, from one
    /// [`Flags::FULL_RO`] export of it; a memoryview `exporter` shares its own
    /// export instead. Fails with the exporter's export error, or ValueError
    /// for more than 64 dimensions.
    pub fn new(exporter: &Object) -> Result<MemoryView> {
        let state = match MemoryView::downcast_ref(exporter) {
            Some(mv) => mv.lock()?.state().duplicate(false),
            None => ViewState::of_exporter(exporter)?,
        };
        Ok(MemoryView::of_state(state))
    }

    /// A view that takes over `export` (released when the last view made from
    /// this one goes, or at once if no view can be made of it).
    pub fn from_export(export: Export) -> Result<MemoryView> {
        ViewState::of_owned_export(export).map(MemoryView::of_state)
    }

    /// A 1-D "B" view of the bytes of `owner`, read-only, like
    /// `memoryview(bytes)`; `owner` is dropped with the last view.
    pub fn from_owner<T: AsRef<[u8]> + Send + Sync + 'static>(owner: T) -> Result<MemoryView> {
        let len = byte_count(owner.as_ref().len())?;
        MemoryView::new(&Object::from_owner(owner, &crate::Layout::new("B", &[len]))?)
    }

    /// A 1-D "B" view of the bytes of `owner`, writable.
    pub fn from_owner_mut<T: AsMut<[u8]> + Send + Sync + 'static>(mut owner: T) -> Result<MemoryView> {
        let len = byte_count(owner.as_mut().len())?;
        MemoryView::new(&Object::from_owner_mut(owner, &crate::Layout::new("B", &[len]))?)
    }

    /// A new memoryview object of `state`.
    pub(crate) fn of_state(state: ViewState) -> MemoryView {
        let object = ViewObject { state: RwLock::new(Some(state)), hash: OnceLock::new() };
        MemoryView(pepkit_object::new_provided(object))
    }

    /// `obj` as a memoryview, if it is one.
    pub fn downcast_ref(obj: &Object) -> Option<&MemoryView> {
        view_object(obj)?;
        // SAFETY: MemoryView is a repr(transparent) Object, and this one is
        // a memoryview object.
        Some(unsafe { &*(obj as *const Object).cast::<MemoryView>() })
    }

    /// A borrowed object as a borrowed memoryview (TypeError "expected a
    /// memoryview, got bytes" for another kind).
    #[cfg(feature = "raw")]
    pub(crate) fn borrowed(obj: crate::buffer::handle::Borrowed<'_>) -> Result<crate::buffer::handle::Borrowed<'_, MemoryView>> {
        if view_object(&obj).is_none() {
            return Err(not_a_memoryview(&obj));
        }
        // SAFETY: MemoryView is a repr(transparent) Object owning nothing
        // else, and this object is a memoryview.
        Ok(unsafe { obj.map(MemoryView) })
    }

    fn object(&self) -> &ViewObject {
        view_object(&self.0).unwrap_or_else(|| unreachable!("a MemoryView is made of a memoryview object"))
    }

    /// The view's read lock: ValueError ("operation forbidden on released
    /// memoryview object") once released. While a guard lives, the view
    /// cannot be released: do not call [`release`](Self::release) on the
    /// same view while holding one (it would wait forever).
    pub fn lock(&self) -> Result<ViewGuard<'_>> {
        Ok(ViewGuard { guard: self.object().live()?, owner: self.object() })
    }

    /// Whether [`release`](Self::release) has run.
    pub fn is_released(&self) -> bool {
        self.object().state.read().unwrap_or_else(|p| p.into_inner()).is_none()
    }

    /// `m.release()`: drops this view's hold on the shared export (released
    /// when no view holds it any more). Refused with BufferError
    /// ("memoryview has N exported buffer(s)") while the view itself is
    /// exported; a second release does nothing. Afterwards every operation
    /// fails with ValueError, except release, equality (equal only to
    /// itself) and a hash computed before.
    pub fn release(&self) -> Result<()> {
        let mut guard = self.object().state.write().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            return Ok(());
        }
        // Read under the write lock: getbuffer counts under the read lock.
        let n = self.0.exports();
        if n > 0 {
            return Err(Error::buffer(format!("memoryview has {n} exported buffer{}", if n == 1 { "" } else { "s" })));
        }
        *guard = None;
        Ok(())
    }

    /// `hash(m)`, equal to CPython 3.11+'s `hash(m.tobytes())` under
    /// `PYTHONHASHSEED=0`. The view must be read-only (ValueError "cannot
    /// hash writable memoryview object"), of format 'B', 'b' or 'c'
    /// (ValueError), and its exporter hashable: never a bytearray (TypeError
    /// "unhashable type: 'bytearray'"), other exporters only when their
    /// memory is read-only. The hash is kept: a released view still answers
    /// with a hash computed before.
    pub fn hash(&self) -> Result<isize> {
        let object = self.object();
        if let Some(&h) = object.hash.get() {
            return Ok(h);
        }
        let h = self.lock()?.state().hash()?;
        Ok(*object.hash.get_or_init(|| h))
    }

    /// `self == other` for any exporter `other`: see [`equal`].
    pub fn equal(&self, other: &Object) -> Result<bool> {
        equal(&self.0, other)
    }

    /// The object this view is.
    pub fn as_object(&self) -> &Object {
        &self.0
    }

    /// `len(m)`: as [`ViewGuard::len`].
    pub fn len(&self) -> Result<usize> {
        Ok(self.lock()?.len())
    }

    /// `len(m) == 0`.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// `m[slices]`: as [`ViewGuard::slice`].
    pub fn slice<S: Clone + Into<Slice>>(&self, slices: &[S]) -> Result<MemoryView> {
        self.lock()?.slice(slices)
    }

    /// `m[index]` as a view: as [`ViewGuard::subview`].
    pub fn subview(&self, index: isize) -> Result<MemoryView> {
        self.lock()?.subview(index)
    }

    /// `m.cast(format[, shape])`: as [`ViewGuard::cast`].
    pub fn cast(&self, format: impl AsRef<[u8]>, shape: Option<&[isize]>) -> Result<MemoryView> {
        self.lock()?.cast(format, shape)
    }

    /// `m.toreadonly()`: a read-only view of the same memory and structure.
    pub fn toreadonly(&self) -> Result<MemoryView> {
        Ok(self.lock()?.toreadonly())
    }

    /// `m.tobytes(order)`: as [`ViewGuard::tobytes`].
    pub fn tobytes(&self, order: Order) -> Result<Vec<u8>> {
        self.lock()?.tobytes(order)
    }

    /// `m.tobytes(order)` into `dst`: as [`ViewGuard::tobytes_into`].
    pub fn tobytes_into(&self, order: Order, dst: &mut [u8]) -> Result<()> {
        self.lock()?.tobytes_into(order, dst)
    }

    /// `repr(m.tolist())`: as [`ViewGuard::tolist`].
    pub fn tolist(&self) -> Result<String> {
        self.lock()?.tolist()
    }

    /// `m.hex(sep, bytes_per_sep)`: as [`ViewGuard::hex`].
    pub fn hex(&self, hex: &Hex) -> Result<String> {
        self.lock()?.hex(hex)
    }

    /// `m[index]`: as [`ViewGuard::get_item`].
    pub fn get_item(&self, index: &[isize]) -> Result<Value<'static>> {
        self.lock()?.get_item(index)
    }

    /// `m[index] = value`: as [`ViewGuard::set_item`].
    pub fn set_item(&self, index: &[isize], value: &Value<'_>) -> Result<()> {
        self.lock()?.set_item(index, value)
    }

    /// `m[slices] = src`: as [`ViewGuard::assign`].
    pub fn assign<S: Clone + Into<Slice>>(&self, slices: &[S], src: &Object) -> Result<()> {
        self.lock()?.assign(slices, src)
    }
}

/// A view's element count as a shape extent.
fn byte_count(len: usize) -> Result<isize> {
    isize::try_from(len).map_err(|_| Error::overflow(format!("{len} bytes exceed Py_ssize_t")))
}

/// The memoryview payload of `obj`, if it is a memoryview.
fn view_object(obj: &Object) -> Option<&ViewObject> {
    obj.core().provider()?.as_any().downcast_ref::<ViewObject>()
}

fn not_a_memoryview(obj: &Object) -> Error {
    Error::type_error(format!("expected a memoryview, got {}", obj.kind().name()))
}

impl std::ops::Deref for MemoryView {
    type Target = Object;

    fn deref(&self) -> &Object {
        &self.0
    }
}

impl AsRef<Object> for MemoryView {
    fn as_ref(&self) -> &Object {
        &self.0
    }
}

impl From<MemoryView> for Object {
    fn from(mv: MemoryView) -> Object {
        mv.0
    }
}

impl TryFrom<Object> for MemoryView {
    type Error = Error;

    /// The object as a memoryview; TypeError ("expected a memoryview, got
    /// bytes") for another kind.
    fn try_from(obj: Object) -> Result<MemoryView> {
        if view_object(&obj).is_none() {
            return Err(not_a_memoryview(&obj));
        }
        Ok(MemoryView(obj))
    }
}

impl std::fmt::Debug for MemoryView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.lock() {
            Ok(view) => f
                .debug_struct("MemoryView")
                .field("format", &String::from_utf8_lossy(view.format()))
                .field("shape", &view.shape())
                .field("strides", &view.strides())
                .field("readonly", &view.readonly())
                .finish(),
            Err(_) => f.write_str("MemoryView(released)"),
        }
    }
}

/// A live memoryview under its read lock ([`MemoryView::lock`]): the
/// operations of Python's memoryview, and borrowed access to the view's
/// shape, strides and format. The view cannot be released while this lives.
pub struct ViewGuard<'a> {
    guard: RwLockReadGuard<'a, Option<ViewState>>,
    owner: &'a ViewObject,
}

impl ViewGuard<'_> {
    /// The state under a read lock `live` checked.
    fn state_of<'g>(guard: &'g RwLockReadGuard<'_, Option<ViewState>>) -> &'g ViewState {
        guard.as_ref().unwrap_or_else(|| unreachable!("checked live"))
    }

    /// The view's state.
    pub(crate) fn state(&self) -> &ViewState {
        ViewGuard::state_of(&self.guard)
    }

    /// `len(m)`: the extent of the first dimension, 1 for a 0-dim view.
    pub fn len(&self) -> usize {
        let state = self.state();
        if state.ndim() == 0 {
            1
        } else {
            state.shape()[0] as usize
        }
    }

    /// `len(m) == 0`.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `m.ndim`.
    pub fn ndim(&self) -> usize {
        self.state().ndim()
    }

    /// `m.shape`.
    pub fn shape(&self) -> &[isize] {
        self.state().shape()
    }

    /// `m.strides`.
    pub fn strides(&self) -> &[isize] {
        self.state().strides()
    }

    /// `m.suboffsets`, None when the view has none.
    pub fn suboffsets(&self) -> Option<&[isize]> {
        self.state().suboffsets()
    }

    /// `m.format`, as bytes ("B" for memory exported without one).
    pub fn format(&self) -> &[u8] {
        self.state().format()
    }

    /// `m.itemsize`.
    pub fn itemsize(&self) -> usize {
        self.state().view.itemsize as usize
    }

    /// `m.nbytes`: product(shape) * itemsize.
    pub fn nbytes(&self) -> usize {
        self.state().nbytes()
    }

    /// `m.readonly`.
    pub fn readonly(&self) -> bool {
        self.state().view.readonly != 0
    }

    /// `m.c_contiguous`.
    pub fn c_contiguous(&self) -> bool {
        self.state().c_contiguous
    }

    /// `m.f_contiguous`.
    pub fn f_contiguous(&self) -> bool {
        self.state().f_contiguous
    }

    /// `m.obj`: the exporter the view reads (a new reference); None for
    /// memory lent by a C caller.
    pub fn exporter(&self) -> Option<Object> {
        self.state().mbuf.base()
    }

    /// Slices the first `slices.len()` dimensions: `m[a:b:c, d:e:f, ...]`,
    /// each with Python's slice rules (see [`Slice`]). One slice on an N-d
    /// view slices dimension 0, as CPython does; several are numpy's basic
    /// slicing, beyond CPython. The new view shares this one's export. A
    /// 0-dim view cannot be sliced (TypeError), nor can more dimensions than
    /// the view has; no slices at all give a view of the whole.
    pub fn slice<S: Clone + Into<Slice>>(&self, slices: &[S]) -> Result<MemoryView> {
        let state = self.state();
        let view = if slices.is_empty() { state.duplicate(false) } else { state.slice(slices)? };
        Ok(MemoryView::of_state(view))
    }

    /// `m[index]` as a view with one dimension fewer (numpy's semantics;
    /// CPython raises NotImplementedError for N-d views): a negative index
    /// counts from the end, one out of range is IndexError, a 0-dim view
    /// TypeError. On a 1-D view the result is a 0-dim view of the item.
    pub fn subview(&self, index: isize) -> Result<MemoryView> {
        self.state().subview(index).map(MemoryView::of_state)
    }

    /// `m.cast(format)` (`shape` None) or `m.cast(format, shape)`, with
    /// CPython 3.11's rules and errors in its order: the view must be
    /// C-contiguous (TypeError), have no zero extent when a shape is given
    /// or it is not 1-D, cast 1-D to N-d or N-d to 1-D, to a native
    /// single-character format with an optional '@' (ValueError) with a
    /// byte format ('b', 'B', 'c') on at least one side, and keep its
    /// length. The format is kept as given ("@B" stays "@B"); an empty
    /// shape makes a 0-dim view.
    pub fn cast(&self, format: impl AsRef<[u8]>, shape: Option<&[isize]>) -> Result<MemoryView> {
        self.state().cast(format.as_ref(), shape).map(MemoryView::of_state)
    }

    /// `m.toreadonly()`: a read-only view of the same memory and structure.
    pub fn toreadonly(&self) -> MemoryView {
        MemoryView::of_state(self.state().duplicate(true))
    }

    /// `m.tobytes(order)`: the items in `order` ([`Order::Any`]: as they lie
    /// when the view is C- or Fortran-contiguous, else C), for any format.
    /// MemoryError when the bytes cannot be allocated.
    pub fn tobytes(&self, order: Order) -> Result<Vec<u8>> {
        let mut out = crate::mem::zeroed(self.nbytes(), "tobytes")?;
        self.tobytes_into(order, &mut out)?;
        Ok(out)
    }

    /// `m.tobytes(order)` into `dst`, whose length must be
    /// [`nbytes`](Self::nbytes) (ValueError otherwise, and `dst` is untouched).
    pub fn tobytes_into(&self, order: Order, dst: &mut [u8]) -> Result<()> {
        self.state().tobytes_into(order, dst)
    }

    /// `repr(m.tolist())`, byte for byte: nested lists in C order (a scalar
    /// for a 0-dim view), Python's float repr, bytes repr for 'c', True and
    /// False for '?'; beyond CPython, every struct format (multi-value ones
    /// as tuples), equal to repr of what `struct.unpack_from` gives.
    /// MemoryError (as CPython's) when the text cannot fit, e.g. for shape
    /// (2**63-1, 0, 2**63-1), or memory runs out while writing it.
    pub fn tolist(&self) -> Result<String> {
        let text = self.state().tolist()?;
        String::from_utf8(text).map_err(|_| Error::value("tolist: the repr is not text (a pepkit bug)"))
    }

    /// `m.hex(sep, bytes_per_sep)` ([`Hex`]): two lowercase hex digits per
    /// byte of the C-order bytes, with the separator between groups.
    /// MemoryError when the text (or the C-order copy a non-contiguous view
    /// needs) cannot be allocated.
    pub fn hex(&self, hex: &Hex) -> Result<String> {
        let mut out = crate::mem::zeroed(self.hex_len(hex)?, "the hex text")?;
        self.hex_into(hex, &mut out)?;
        String::from_utf8(out).map_err(|_| Error::value("hex: not text (a pepkit bug)"))
    }

    /// The length of [`hex`](Self::hex)'s text; MemoryError when it cannot
    /// exist.
    pub fn hex_len(&self, hex: &Hex) -> Result<usize> {
        hex.len(self.nbytes())
    }

    /// [`hex`](Self::hex)'s text into `out`, whose length must be
    /// [`hex_len`](Self::hex_len) (ValueError otherwise).
    pub fn hex_into(&self, hex: &Hex, out: &mut [u8]) -> Result<()> {
        let n = self.hex_len(hex)?;
        if out.len() != n {
            return Err(Error::value(format!("hex: the destination holds {} bytes, the text {n}", out.len())));
        }
        hex.write(&self.state().c_bytes()?, out);
        Ok(())
    }

    /// `m[index]`: the item at `index` (one Python index per dimension,
    /// negative ones counting from the end; none for a 0-dim view), as
    /// memoryview returns it. Every single-value struct format works
    /// (non-native byte orders, 'e', 's', 'p' too, beyond CPython). Errors:
    /// IndexError "index out of bounds on dimension N"; NotImplementedError
    /// for fewer indices than dimensions (use [`subview`](Self::subview)) or
    /// a multi-value format (use [`tolist`](Self::tolist)); TypeError for
    /// more indices than dimensions.
    pub fn get_item(&self, index: &[isize]) -> Result<Value<'static>> {
        self.state().get_item(index)?.owned()
    }

    /// `m[index] = value`, with memoryview's checks for native formats
    /// (TypeError "memoryview: invalid type for format 'X'", ValueError
    /// "memoryview: invalid value for format 'X'" out of range; 'c' takes
    /// bytes of length 1; '?' the truth of any value) and struct.pack's for
    /// the others. TypeError "cannot modify read-only memory" for a
    /// read-only view. Nothing is written on failure.
    pub fn set_item(&self, index: &[isize], value: &Value<'_>) -> Result<()> {
        self.state().set_item(index, &value.unpacked())
    }

    /// `m[slices] = src`: copies the memory of `src` (a memoryview, or any
    /// exporter, exported with [`Flags::FULL_RO`] for the call) into the
    /// part of this view `slices` select (all of it for no slices). The two
    /// must have the same format (ignoring '@'), itemsize and shape
    /// (ValueError "memoryview assignment: lvalue and rvalue have different
    /// structures"); overlapping memory is copied correctly. Several slices
    /// assign an N-d region (beyond CPython). TypeError for a read-only
    /// view; MemoryError (nothing written) when the copy a non-contiguous
    /// pair needs cannot be allocated.
    pub fn assign<S: Clone + Into<Slice>>(&self, slices: &[S], src: &Object) -> Result<()> {
        let state = self.state();
        if state.view.readonly != 0 {
            return Err(Error::type_error("cannot modify read-only memory"));
        }
        match view_object(src) {
            // SAFETY: this view's own live descriptor.
            Some(other) if std::ptr::eq(other, self.owner) => unsafe { state.assign(slices, &state.view) },
            Some(other) => {
                let guard = other.live()?;
                // SAFETY: the other view's live descriptor, under its lock.
                unsafe { state.assign(slices, &ViewGuard::state_of(&guard).view) }
            }
            // SAFETY: a live export, for the duration of the call.
            None => src.export(Flags::FULL_RO)?.with_buffer(|view| unsafe { state.assign(slices, view) }),
        }
    }

    /// The view's own descriptor, for the C API's pepkit_memoryview_buffer.
    #[cfg(feature = "raw")]
    pub(crate) fn buffer(&self) -> *const pepkit_buffer {
        &self.state().view
    }
}

/// `a == b` for memoryviews and any other exporters (each side a memoryview
/// or exported with [`Flags::FULL_RO`]), with CPython 3.11's rules: a
/// released view equals only itself; an exporter that cannot be exported
/// equals only itself; otherwise the same ndim and shape (up to the first
/// zero extent) and every item equal — typed for the same native format
/// (NaN != NaN, -0.0 == 0.0), by struct unpacking and Python's `==`
/// otherwise ('i' 1 == 'd' 1.0, 'c' b'a' != 'B' 97); a format struct cannot
/// read is never equal. Nothing is allocated, however many fields a format
/// has.
///
/// ```
/// use pepkit::{memoryview::equal, MemoryView, Object, Order};
///
/// let one = MemoryView::new(&Object::bytes(&1i32.to_ne_bytes())?)?.cast("i", None)?;
/// let zero = Object::ndarray("d", &[1], Order::C, true)?;
/// assert!(!equal(&one, &zero)?); // 1 != 0.0
/// assert!(equal(&one, &one)?);
/// one.release()?;
/// assert!(equal(&one, &one)? && !equal(&one, &zero)?, "released: equal only to itself");
/// # Ok::<(), pepkit::Error>(())
/// ```
pub fn equal(a: &Object, b: &Object) -> Result<bool> {
    let same = a.ptr_eq(b);
    let released = |o: &Object| MemoryView::downcast_ref(o).is_some_and(|m| m.is_released());
    if released(a) || released(b) {
        return Ok(same);
    }
    let result = with_description(a, |va| {
        if same {
            // SAFETY: a live view's descriptor or export.
            return unsafe { items::equal(va, va) }.map(Some);
        }
        // SAFETY: both live views' descriptors or exports.
        with_description(b, |vb| unsafe { items::equal(va, vb) })
    })?;
    Ok(result.flatten().unwrap_or(same))
}

/// Calls `f` with a full description of `obj` (a memoryview's own, or a
/// FULL_RO export released afterwards); Ok(None) when `obj` cannot export.
fn with_description<T>(obj: &Object, f: impl FnOnce(&pepkit_buffer) -> Result<T>) -> Result<Option<T>> {
    if let Some(view) = view_object(obj) {
        let Ok(guard) = view.live() else { return Ok(None) };
        return f(&ViewGuard::state_of(&guard).view).map(Some);
    }
    match obj.export(Flags::FULL_RO) {
        Ok(export) => export.with_buffer(f).map(Some),
        Err(_) => Ok(None),
    }
}

/// A new memoryview that takes over the export in `view` (zeroed on
/// success, left alone on failure).
///
/// # Safety
/// As `ViewState::of_export`.
#[cfg(feature = "raw")]
pub(crate) unsafe fn from_buffer(view: &mut pepkit_buffer) -> Result<MemoryView> {
    // SAFETY: as the caller guarantees.
    unsafe { ViewState::of_export(view) }.map(MemoryView::of_state)
}
